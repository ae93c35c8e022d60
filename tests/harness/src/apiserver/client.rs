//! A tiny blocking HTTP/1.1 client for tests that need raw status codes and
//! watch streams without pulling in a Kubernetes client.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A complete response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request to `base` (`http://127.0.0.1:PORT`) + `path`.
/// `headers` are extra `(name, value)` pairs, e.g. Content-Type or Authorization.
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<RawResponse> {
    let mut r = open(base, method, path, headers, body)?;
    let (status, hdrs) = read_head(&mut r)?;
    let chunked = is_chunked(&hdrs);
    let mut body = Vec::new();
    if chunked {
        while let Some(chunk) = read_chunk(&mut r)? {
            body.extend(chunk);
        }
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(RawResponse {
        status,
        headers: hdrs,
        body,
    })
}

fn open(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<BufReader<TcpStream>> {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    Ok(BufReader::new(s))
}

fn read_head(r: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok((status, headers))
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
}

/// One chunk of a chunked body; `None` at the end.
fn read_chunk(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
        .map_err(|_| std::io::Error::other(format!("bad chunk size {line:?}")))?;
    if size == 0 {
        return Ok(None);
    }
    let mut buf = vec![0; size + 2];
    r.read_exact(&mut buf)?;
    buf.truncate(size);
    Ok(Some(buf))
}

/// An open watch: events one by one.
pub struct WatchStream {
    reader: BufReader<TcpStream>,
    pub status: u16,
    buf: Vec<u8>,
    chunked: bool,
    ended: bool,
}

impl WatchStream {
    /// Starts a watch (`path` carries `?watch=true&...`).
    pub fn open(base: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<WatchStream> {
        let mut reader = open(base, "GET", path, headers, b"")?;
        let (status, hdrs) = read_head(&mut reader)?;
        Ok(WatchStream {
            reader,
            status,
            buf: Vec::new(),
            chunked: is_chunked(&hdrs),
            ended: false,
        })
    }

    /// The next event, waiting at most `timeout`. `None` when the stream ended
    /// (or nothing came in time).
    pub fn next_event(&mut self, timeout: Duration) -> Option<Value> {
        self.reader.get_ref().set_read_timeout(Some(timeout)).ok()?;
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return serde_json::from_slice(&line).ok();
            }
            if self.ended {
                return None;
            }
            let more = if self.chunked {
                read_chunk(&mut self.reader).ok()?
            } else {
                let mut b = vec![0; 8192];
                match self.reader.read(&mut b) {
                    Ok(0) => None,
                    Ok(n) => Some(b[..n].to_vec()),
                    // Nothing in time (or a broken read): not an end the
                    // server chose, so `ended` stays false.
                    Err(_) => return None,
                }
            };
            match more {
                Some(b) => self.buf.extend(b),
                None => self.ended = true,
            }
        }
    }

    /// Whether the server closed the stream (a wait that ran out is not that).
    pub fn ended(&self) -> bool {
        self.ended
    }
}
