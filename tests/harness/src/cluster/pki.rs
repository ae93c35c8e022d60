//! Keys and certificates for the rig, made with the `openssl` CLI at start time:
//! a throwaway CA, a serving certificate for 127.0.0.1/localhost signed by it,
//! and the service-account signing key. EC P-256 throughout (fast to generate).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where [`generate`] put everything.
pub(crate) struct Pki {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub sa_key: PathBuf,
    pub sa_pub: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cluster: run openssl (install it, e.g. apt-get install openssl): {e}")
        });
    assert!(
        out.status.success(),
        "cluster: openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ec_key(dir: &Path, file: &str) {
    let curve = "ec_paramgen_curve:P-256";
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            curve,
            "-out",
            file,
        ],
    );
}

/// Writes the CA, serving certificate and service-account keys into `dir`.
pub(crate) fn generate(dir: &Path) -> Pki {
    std::fs::create_dir_all(dir).expect("cluster: create pki dir");
    ec_key(dir, "ca.key");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=eks-workshop-rig-ca",
            "-days",
            "2",
            "-out",
            "ca.crt",
        ],
    );
    ec_key(dir, "server.key");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "server.key",
            "-subj",
            "/CN=kube-apiserver",
            "-out",
            "server.csr",
        ],
    );
    // rustls (the kube crate's TLS) wants a SAN, CA:FALSE and serverAuth on the leaf.
    let ext = "subjectAltName=IP:127.0.0.1,DNS:localhost\n\
               basicConstraints=critical,CA:FALSE\n\
               keyUsage=critical,digitalSignature\n\
               extendedKeyUsage=serverAuth\n";
    std::fs::write(dir.join("server.ext"), ext).expect("cluster: write server.ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    ec_key(dir, "sa.key");
    openssl(dir, &["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
    Pki {
        ca_cert: dir.join("ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
        sa_key: dir.join("sa.key"),
        sa_pub: dir.join("sa.pub"),
    }
}
