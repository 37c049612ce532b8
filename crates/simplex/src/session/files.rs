//! Files: `/freceive`, `/fcancel`, and the chat item a file came with.

use super::{Answer, Session};
use crate::errors::ChatError;
use crate::folder::FilesFolder;
use crate::session::items;
use crate::types;
use engine::{ChatFile, Engine};
use grid::chat::{ChatUser, FileId};
use serde_json::{Value, json};

/// The `AChatItem` of the message a file came with, its file as the user sees it now.
pub(crate) async fn file_chat_item(
    engine: &Engine,
    u: &ChatUser,
    f: &ChatFile,
) -> Result<Value, grid::Error> {
    let (status, path) = types::file_status(u.avatar.id, f);
    let mut v = items::a_chat_item(engine, u, &f.carrier).await?;
    v["chatItem"]["file"] = types::ci_file(&f.file.attachment, status, path);
    Ok(v)
}

/// The display name of whoever sent a file.
pub(crate) async fn sender_name(engine: &Engine, f: &ChatFile) -> Result<String, grid::Error> {
    Ok(engine
        .peer(f.file.owner)
        .await?
        .map(|(a, _)| types::display_name(&a))
        .unwrap_or_default())
}

impl Session {
    pub(super) fn files_folder(&self) -> Result<FilesFolder, ChatError> {
        self.shared.files.clone().ok_or_else(|| {
            ChatError::error(json!({
                "type": "fileInternal",
                "message": "this server keeps no files folder for chat clients",
            }))
        })
    }

    /// `/freceive`: saves a file into the files folder.
    pub(super) async fn receive_file(
        &mut self,
        file_id: i64,
        path: Option<String>,
        encrypt: Option<bool>,
    ) -> Answer {
        if encrypt == Some(true) {
            return Err(ChatError::unsupported("Storing received files encrypted"));
        }
        let u = self.active_user().await?;
        let id = FileId(file_id);
        let seen = self.engine.chat_file(u.avatar.id, id).await?;
        if seen.file.cancelled && !seen.sent_by(u.avatar.id) && seen.receipt.is_none() {
            let sender = sender_name(&self.engine, &seen).await?;
            return Ok(json!({
                "type": "rcvFileAcceptedSndCancelled",
                "user": self.user_json(&u).await?,
                "rcvFileTransfer": types::rcv_file_transfer(&seen, &sender),
            }));
        }
        let folder = self.files_folder()?;
        let name = seen.file.attachment.name.clone();
        let dest = tokio::task::spawn_blocking(move || folder.destination(path.as_deref(), &name))
            .await
            .map_err(|e| grid::Error::internal(e.to_string()))??;
        let got = self.engine.receive_file(u.avatar.id, id, dest).await?;
        let mut item = file_chat_item(&self.engine, &u, &got).await?;
        // The transfer is accepted; `rcvFileComplete` follows as an event.
        item["chatItem"]["file"]["fileStatus"] = json!({"type": "rcvAccepted"});
        Ok(json!({
            "type": "rcvFileAccepted",
            "user": self.user_json(&u).await?,
            "chatItem": item,
        }))
    }

    /// `/fcancel`: the sender withdraws a file, a recipient refuses it.
    pub(super) async fn cancel_file(&mut self, file_id: i64) -> Answer {
        let u = self.active_user().await?;
        let f = self
            .engine
            .cancel_file(u.avatar.id, FileId(file_id))
            .await
            .map_err(|e| match e {
                grid::Error::FileAlreadyReceived | grid::Error::FileCancelled => {
                    ChatError::error(json!({
                        "type": "fileCancel",
                        "fileId": file_id,
                        "message": e.to_string(),
                    }))
                }
                e => e.into(),
            })?;
        let item = file_chat_item(&self.engine, &u, &f).await?;
        let user = self.user_json(&u).await?;
        if f.sent_by(u.avatar.id) {
            Ok(json!({
                "type": "sndFileCancelled",
                "user": user,
                "chatItem_": item,
                "fileTransferMeta": types::file_transfer_meta(&f),
                "sndFileTransfers": [],
            }))
        } else {
            let sender = sender_name(&self.engine, &f).await?;
            Ok(json!({
                "type": "rcvFileCancelled",
                "user": user,
                "chatItem_": item,
                "rcvFileTransfer": types::rcv_file_transfer(&f, &sender),
            }))
        }
    }
}
