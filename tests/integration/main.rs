//! The main crate's single integration-test binary; each module is one area.

mod github;
mod harness_apiserver;
mod harness_forge;
mod bad_input;
mod crash;
mod doctor;
mod flux;
mod offline;
mod support;
mod verify_offline;
mod world;
mod crash_online;
mod secrets;
mod harness_faults;
mod flaky;
