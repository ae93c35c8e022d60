//! Loopback ports that stay taken from the moment they are chosen.
//!
//! A port found by binding `127.0.0.1:0` and closing the socket is free only
//! until someone else binds it, and under a loaded test run someone does. A
//! [`ReservedPort`] keeps its socket bound (never listening) with
//! `SO_REUSEPORT`: any other socket is refused the port, while a child told
//! to bind it with `SO_REUSEPORT` too (etcd's `--socket-reuse-port`,
//! kube-apiserver's `--permit-port-sharing`) shares it. The kernel lets only
//! sockets of the same user share a port, and never hands a shared port to a
//! bind of port 0. Connections go to listening sockets only, so the child
//! gets every one; with no child, they are refused.

use socket2::{Domain, Socket, Type};
use std::net::{Ipv4Addr, SocketAddr};

/// A loopback port held by a bound socket; see the module docs.
#[derive(Debug)]
pub struct ReservedPort {
    // Held, never read: the binding is the reservation.
    _socket: Socket,
    port: u16,
}

impl ReservedPort {
    /// A port on 127.0.0.1 the kernel chose, bound until this is dropped.
    pub fn new() -> ReservedPort {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("port: socket");
        socket.set_reuse_port(true).expect("port: SO_REUSEPORT");
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        socket.bind(&any.into()).expect("port: bind 127.0.0.1:0");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("port: local address")
            .port();
        ReservedPort {
            _socket: socket,
            port,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Default for ReservedPort {
    fn default() -> ReservedPort {
        ReservedPort::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn no_one_else_can_bind_it_and_no_one_answers_on_it() {
        let port = ReservedPort::new();
        assert!(TcpListener::bind(("127.0.0.1", port.port())).is_err());
        assert!(TcpStream::connect(("127.0.0.1", port.port())).is_err());
    }

    #[test]
    fn a_listener_that_shares_the_port_gets_the_connections() {
        let port = ReservedPort::new();
        let child = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        child.set_reuse_port(true).unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port.port()));
        child.bind(&addr.into()).unwrap();
        child.listen(8).unwrap();
        let listener: TcpListener = child.into();
        let _client = TcpStream::connect(addr).unwrap();
        listener.accept().unwrap();
    }
}
