// Security for the chat: NULL (none), PLAIN (user and password, in clear text)
// or CURVE (encrypted, keys checked). The server's sockets are the ZMTP
// "servers" of the handshake; a ZAP handler thread answers libzmq's
// authentication requests on inproc://zeromq.zap.01 (RFC 27).
#pragma once

#include <filesystem>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "common/codec.hpp"
#include "common/console.hpp"

namespace chat {

constexpr std::size_t z85_key_size = 40;  // 32 bytes of key as Z85 text

// Key files: one Z85 key on its own line, '#' comment lines allowed.
// chat-keygen writes NAME.key (secret, mode 0600) and NAME.pub (public).
struct curve_keypair {
    std::string public_key;  // Z85
    std::string secret_key;  // Z85
};
curve_keypair generate_keypair();
common::result<std::string> public_key_of(const std::string& secret_z85);
common::result<std::string> read_key_file(const std::filesystem::path& file);
// Writes DIR/NAME.key and DIR/NAME.pub; throws std::runtime_error.
void write_keypair(const std::filesystem::path& dir, const std::string& name, const curve_keypair& keys);

// The server's side: what its ROUTER and PUB demand.
struct server_security {
    std::string curve_key_file;            // --curve: the server's secret key file
    std::filesystem::path allow_dir;       // --allow: clients' *.pub files
    std::filesystem::path password_file;   // --passwords: user:password lines (PLAIN)
    bool curve() const { return !curve_key_file.empty(); }
    bool plain() const { return !password_file.empty(); }
};
// Sets the mechanism on a server socket (before bind); loads the key file.
void secure_server_socket(zmq::socket_ref socket, const server_security& opts);

// The client's side: its credentials.
struct client_security {
    std::string server_key_file;  // --curve: the server's public key file
    std::string key_file;         // --key: this client's secret key file
    std::string plain;            // --plain user:password
    bool curve() const { return !server_key_file.empty(); }
};
// Sets the mechanism on a client socket (before connect); loads the key files.
void secure_client_socket(zmq::socket_ref socket, const client_security& opts);

// The ZAP handler: a thread with its own REP socket, bound before the server's
// sockets so that no handshake can get past unchecked. It re-reads the
// allow-list and the password file at each request: add a key, no restart.
class zap_handler {
public:
    zap_handler(zmq::context_t& ctx, const server_security& opts, const common::console& out);
    ~zap_handler();
    zap_handler(const zap_handler&) = delete;
    zap_handler& operator=(const zap_handler&) = delete;

private:
    std::jthread thread_;
};

// The decision for one ZAP request's frames (after REP strips the envelope).
struct zap_verdict {
    std::string request_id;
    std::string status;    // "200" accepted, "400" refused, "500" malformed request
    std::string reason;    // status text, and what the server logs
    std::string user_id;   // on 200: the allow-list file's name, or the PLAIN user
};
zap_verdict check_zap_request(common::frames request, const server_security& opts);

}  // namespace chat
