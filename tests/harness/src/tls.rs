//! An HTTPS server whose certificate no client trusts: `openssl s_server`
//! with a serving certificate for 127.0.0.1 signed by a throwaway CA (the
//! rig's [`crate::cluster::pki`]). A client that verifies certificates refuses
//! it; one given the CA (`SSL_CERT_FILE`) gets through the handshake and
//! finds s_server's status page, which is no API at all.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

pub struct UntrustedHttps {
    child: Child,
    port: u16,
    ca: PathBuf,
    _dir: tempfile::TempDir,
}

impl UntrustedHttps {
    /// Start it; panics (naming openssl) when the `openssl` CLI is missing.
    pub fn start() -> UntrustedHttps {
        let dir = tempfile::tempdir().expect("tls: tempdir");
        let pki = crate::cluster::pki::generate(dir.path());
        // Port 0: the kernel picks, and s_server says what it got
        // (`ACCEPT 127.0.0.1:PORT` on stdout, which `-quiet` would hide).
        let mut child = Command::new("openssl")
            .args(["s_server", "-www", "-accept", "127.0.0.1:0"])
            .arg("-cert")
            .arg(&pki.server_cert)
            .arg("-key")
            .arg(&pki.server_key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tls: run openssl s_server (install openssl)");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let port = accepted_port(&mut stdout);
        // Keep reading what it prints per connection, so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tls: openssl s_server did not say where it listens");
        };
        UntrustedHttps {
            child,
            port,
            ca: pki.ca_cert,
            _dir: dir,
        }
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA that signed its certificate (PEM), for `SSL_CERT_FILE`.
    pub fn ca_file(&self) -> &std::path::Path {
        &self.ca
    }
}

impl Drop for UntrustedHttps {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of s_server's `ACCEPT 127.0.0.1:PORT` line, printed once it
/// listens; `None` when it exits first.
fn accepted_port(stdout: &mut BufReader<ChildStdout>) -> Option<u16> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(addr) = line.trim_end().strip_prefix("ACCEPT ") {
            return addr.rsplit(':').next()?.parse().ok();
        }
    }
}
