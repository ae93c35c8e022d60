fn main() -> std::process::ExitCode {
    eks_workshop::run()
}
