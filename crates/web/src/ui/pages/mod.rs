//! One module per page (or group of pages), each: read the request, call the app, fill a
//! template.

pub mod bank;
pub mod clients;
pub mod dashboard;
pub mod edit;
pub mod inbox;
pub mod invoice;
pub mod list;
pub mod login;
pub mod preview;
pub mod settings;
