//! The SimpleX command grammar: `simplex::command::parse` on any text, as a bot's
//! `{"corrId","cmd"}` frame carries it. A command either parses (and then has an API
//! name) or is refused with a message; nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match simplex::command::parse(text) {
        Ok(command) => {
            assert!(!command.api_name().is_empty());
            let _ = command.pipelines();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
