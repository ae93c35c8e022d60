// `workshop/` and `templates/` are embedded at build time (include_dir,
// include_str): rebuild when a file in them is added, removed or changed.
fn main() {
    println!("cargo:rerun-if-changed=workshop");
    println!("cargo:rerun-if-changed=templates");
}
