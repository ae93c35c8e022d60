//! The main crate's single integration-test binary; each module is one area.

mod bad_input;
mod crash;
mod crash_online;
mod current_flux;
mod doctor;
mod dry_run;
mod flaky;
mod flux;
mod github;
mod harness_apiserver;
mod harness_faults;
mod harness_forge;
mod house;
mod logs;
mod noop;
mod offline;
mod participant;
mod pluto;
mod real_cluster;
mod real_upstream;
mod rig_files;
mod secrets;
mod support;
mod sync;
mod verify_offline;
mod world;
