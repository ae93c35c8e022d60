//! An HTTPS server whose certificate no client trusts: `openssl s_server`
//! with a serving certificate for 127.0.0.1 signed by a throwaway CA (the
//! rig's [`crate::cluster::pki`]). A client that verifies certificates refuses
//! it; one given the CA (`SSL_CERT_FILE`) gets through the handshake and
//! finds s_server's status page, which is no API at all.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("tls: a free port")
            .port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&pki.server_cert)
            .arg("-key")
            .arg(&pki.server_key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tls: run openssl s_server (install openssl)");
        let server = UntrustedHttps {
            child,
            port,
            ca: pki.ca_cert,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "tls: openssl s_server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
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
