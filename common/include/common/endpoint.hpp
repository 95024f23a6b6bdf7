// Transports and endpoints: the one place that turns "--transport tcp|ipc|inproc"
// into endpoint strings. Changing transport is changing an address, nothing more.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

namespace common {

enum class transport { tcp, ipc, inproc };

std::optional<transport> parse_transport(std::string_view text);
std::string_view to_string(transport t);

// Where a named service binds and where its peers connect, for one transport:
//   tcp     tcp://*:PORT               tcp://127.0.0.1:PORT
//   ipc     ipc:///tmp/beyond-the-box/NAME (same for both sides)
//   inproc  inproc://NAME              (same for both sides)
// Every service has a fixed, documented tcp port (see endpoint.cpp).
// Environment: BB_PORT_OFFSET adds to every default port; BB_IPC_DIR replaces
// /tmp/beyond-the-box.
struct service_endpoints {
    std::string bind;
    std::string connect;
};
service_endpoints endpoints_for(std::string_view service, transport t);

// The tcp port a service uses by default (plus BB_PORT_OFFSET); throws
// std::out_of_range for an unknown name.
int default_port(std::string_view service);

// Binds and returns the endpoint actually bound (port resolved for "tcp://...:*").
// Creates the folder of an ipc endpoint first, since libzmq does not.
std::string bind(zmq::socket_ref socket, const std::string& endpoint);

}  // namespace common
