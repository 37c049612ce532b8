//! `ChatError` values: how every failure of this face is told to the client.

use serde_json::{Value, json};

/// A failure, already in the form the client gets inside `chatCmdError`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatError(pub Value);

impl ChatError {
    /// `{"type":"error","errorType":{…}}`.
    pub fn error(error_type: Value) -> Self {
        ChatError(json!({"type": "error", "errorType": error_type}))
    }

    /// `{"type":"errorStore","storeError":{…}}`.
    pub fn store(store_error: Value) -> Self {
        ChatError(json!({"type": "errorStore", "storeError": store_error}))
    }

    /// A command the parser or the session could not accept.
    pub fn command(message: impl Into<String>) -> Self {
        Self::error(json!({"type": "commandError", "message": message.into()}))
    }

    pub fn no_active_user() -> Self {
        Self::error(json!({"type": "noActiveUser"}))
    }

    pub fn user_not_found(user_id: i64) -> Self {
        Self::store(json!({"type": "userNotFound", "userId": user_id}))
    }

    pub fn contact_not_found(contact_id: i64) -> Self {
        Self::store(json!({"type": "contactNotFound", "contactId": contact_id}))
    }

    pub fn address_not_found() -> Self {
        Self::store(json!({"type": "userContactLinkNotFound"}))
    }

    /// A documented command botgrid does not carry out (yet).
    pub fn unsupported(what: &str) -> Self {
        Self::command(format!("{what} is not supported by botgrid"))
    }

    /// The response record.
    pub fn response(&self) -> Value {
        json!({"type": "chatCmdError", "chatError": self.0})
    }
}

impl From<grid::Error> for ChatError {
    fn from(e: grid::Error) -> Self {
        use grid::Error as E;
        match &e {
            E::NameTaken { name } => {
                Self::error(json!({"type": "userExists", "contactName": name}))
            }
            E::Invalid { field, .. } if *field == grid::chat::DISPLAY_NAME => Self::error(json!({
                "type": "invalidDisplayName", "displayName": "", "validName": ""
            })),
            E::LinkNotFound => Self::error(json!({"type": "invalidConnReq"})),
            E::MessageNotFound => Self::store(json!({"type": "chatItemNotFound", "itemId": 0})),
            E::OfferNotFound => {
                Self::store(json!({"type": "contactRequestNotFound", "contactRequestId": 0}))
            }
            E::AvatarNotFound { .. } => {
                Self::store(json!({"type": "contactNotFound", "contactId": 0}))
            }
            E::GroupNotFound { who } => Self::store(json!({
                "type": "groupNotFound",
                "groupId": who.parse::<i64>().unwrap_or(0),
            })),
            E::NotInGroup => {
                Self::store(json!({"type": "groupMemberNotFound", "groupMemberId": 0}))
            }
            E::NotAMember => Self::error(json!({"type": "groupMemberNotActive"})),
            E::AlreadyMember => {
                Self::error(json!({"type": "groupDuplicateMember", "contactName": ""}))
            }
            E::ItemNotChangeable { .. } => Self::error(json!({"type": "invalidChatItemUpdate"})),
            E::FileNotFound => {
                Self::error(json!({"type": "fileNotFound", "message": e.to_string()}))
            }
            E::FileCancelled => {
                Self::error(json!({"type": "fileCancelled", "message": e.to_string()}))
            }
            E::FileAlreadyReceived => {
                Self::error(json!({"type": "fileAlreadyReceiving", "message": e.to_string()}))
            }
            E::FileTooLarge { .. } | E::FileUnavailable { .. } => {
                Self::error(json!({"type": "fileInternal", "message": e.to_string()}))
            }
            E::Internal { message } => {
                Self::error(json!({"type": "internalError", "message": message}))
            }
            _ => Self::command(e.to_string()),
        }
    }
}
