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
//   ipc     ipc://FOLDER/NAME              (same for both sides; FOLDER: ipc_folder())
//   inproc  inproc://NAME              (same for both sides)
// Every service has a fixed, documented tcp port (see endpoint.cpp).
// Environment: BB_PORT_OFFSET adds to every default port; BB_IPC_DIR replaces
// the ipc folder.
struct service_endpoints {
    std::string bind;
    std::string connect;
};
service_endpoints endpoints_for(std::string_view service, transport t);

// The tcp port a service uses by default (plus BB_PORT_OFFSET); throws
// std::out_of_range for an unknown name.
int default_port(std::string_view service);

// The folder of the default ipc endpoints, private to the user: BB_IPC_DIR if
// set, else $XDG_RUNTIME_DIR/beyond-the-box, else ${TMPDIR:-/tmp}/beyond-the-box-UID.
std::string ipc_folder();

// Before binding or connecting an ipc endpoint in the default folder: makes
// the folder (mode 0700) if missing, and checks that it is a real folder, the
// user's own, mode 0700; else throws std::runtime_error saying what is wrong.
// Endpoints elsewhere are the user's choice, left as they are.
void use_ipc_endpoint(const std::string& endpoint);

// Binds and returns the endpoint actually bound (port resolved for "tcp://...:*").
// For ipc: use_ipc_endpoint, creates the folder (libzmq does not), and removes
// the socket file when the process exits (libzmq 4.3 leaves it).
std::string bind(zmq::socket_ref socket, const std::string& endpoint);

}  // namespace common
