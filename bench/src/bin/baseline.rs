//! The ceiling: a bare HTTP/1.1 server on the same stack botgrid uses (hyper on tokio)
//! that reads the request body and answers `action=im&result=OK`, doing nothing else.
//! Whatever botgrid costs beyond this is parsing, authentication, rules and storage.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    eprintln!("baseline listening on {addr}");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stream.set_nodelay(true).ok();
        tokio::spawn(async move {
            let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                let _ = req.into_body().collect().await;
                Ok::<_, hyper::Error>(
                    hyper::Response::builder()
                        .header("content-type", "text/plain; charset=utf-8")
                        .body(Full::new(Bytes::from_static(b"action=im&result=OK")))
                        .expect("response"),
                )
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
