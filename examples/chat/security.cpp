#include "security.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/stop.hpp"
#include "common/throttle.hpp"

namespace chat {
namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
constexpr const char* zap_domain = "chat";
constexpr auto zap_repeat_quiet = std::chrono::seconds(5);  // refusals: one log line per this, the rest counted

std::string frame_text(const zmq::message_t& frame) { return {static_cast<const char*>(frame.data()), frame.size()}; }

std::string z85(const std::uint8_t* key)
{
    char text[z85_key_size + 1];
    zmq_z85_encode(text, key, 32);
    return text;
}

// The lines of a small text file that are neither empty nor comments.
std::vector<std::string> content_lines(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] != '#') lines.push_back(line);
    }
    return lines;
}

std::string load_key(const std::string& file)
{
    auto key = read_key_file(file);
    if (!key) throw std::runtime_error(key.error());
    return *key;
}

// The allow-list: which *.pub file holds this key? Its name is the user id.
std::string find_allowed_key(const std::filesystem::path& dir, const std::string& key)
{
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".pub") continue;
        const auto allowed = read_key_file(entry.path());
        if (allowed && *allowed == key) return entry.path().stem().string();
    }
    return {};
}

bool password_matches(const std::filesystem::path& file, const std::string& user, const std::string& password)
{
    for (const auto& line : content_lines(file)) {
        const auto colon = line.find(':');
        if (colon != std::string::npos && line.compare(0, colon, user) == 0 && colon == user.size() &&
            line.compare(colon + 1, std::string::npos, password) == 0)
            return true;
    }
    return false;
}

}  // namespace

curve_keypair generate_keypair()
{
    char pub[z85_key_size + 1], secret[z85_key_size + 1];
    if (zmq_curve_keypair(pub, secret) != 0) throw zmq::error_t();
    return {pub, secret};
}

common::result<std::string> public_key_of(const std::string& secret_z85)
{
    char pub[z85_key_size + 1];
    if (secret_z85.size() != z85_key_size || zmq_curve_public(pub, secret_z85.c_str()) != 0)
        return common::result<std::string>::failure("not a Z85 CURVE secret key");
    return std::string(pub);
}

common::result<std::string> read_key_file(const std::filesystem::path& file)
{
    using failure = common::result<std::string>;
    std::vector<std::string> lines;
    try {
        lines = content_lines(file);
    } catch (const std::exception& e) {
        return failure::failure(e.what());
    }
    std::uint8_t bytes[32];
    if (lines.size() != 1 || lines[0].size() != z85_key_size || zmq_z85_decode(bytes, lines[0].c_str()) == nullptr)
        return failure::failure(file.string() + " does not hold one Z85 key of 40 characters");
    return lines[0];
}

void write_keypair(const std::filesystem::path& dir, const std::string& name, const curve_keypair& keys)
{
    std::filesystem::create_directories(dir);
    // Created with its mode (umask can only take permissions away), and an
    // existing file gets it before the key goes in: never readable by others.
    auto write = [&](const std::filesystem::path& file, const std::string& comment, const std::string& key, mode_t mode) {
        const std::string text = "# " + comment + "\n" + key + "\n";
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
        const bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        const int error = errno;
        ::close(fd);
        if (!ok) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(error));
    };
    write(dir / (name + ".key"), "CURVE secret key of '" + name + "' (Z85). Keep it private.", keys.secret_key, 0600);
    write(dir / (name + ".pub"), "CURVE public key of '" + name + "' (Z85). Share it.", keys.public_key, 0644);
}

// slide: chat-secure-server
void secure_server_socket(zmq::socket_ref s, const server_security& opts)
{
    if (!opts.curve() && !opts.plain()) return;  // NULL: no authentication
    if (opts.curve()) {
        s.set(zmq::sockopt::curve_server, true);
        s.set(zmq::sockopt::curve_secretkey, load_key(opts.curve_key_file));
    } else {
        s.set(zmq::sockopt::plain_server, true);
    }
    s.set(zmq::sockopt::zap_domain, zap_domain);
}
// end slide

void secure_client_socket(zmq::socket_ref socket, const client_security& opts)
{
    if (opts.curve()) {
        const auto secret = load_key(opts.key_file);
        const auto pub = public_key_of(secret);
        if (!pub) throw std::runtime_error(opts.key_file + ": " + pub.error());
        socket.set(zmq::sockopt::curve_serverkey, load_key(opts.server_key_file));
        socket.set(zmq::sockopt::curve_publickey, *pub);
        socket.set(zmq::sockopt::curve_secretkey, secret);
    } else if (!opts.plain.empty()) {
        const auto colon = opts.plain.find(':');
        socket.set(zmq::sockopt::plain_username, opts.plain.substr(0, colon));
        socket.set(zmq::sockopt::plain_password, colon == std::string::npos ? "" : opts.plain.substr(colon + 1));
    }
}

zap_verdict check_zap_request(common::frames request, const server_security& opts)
{
    // version, request id, domain, address, routing id, mechanism, credentials...
    zap_verdict v;
    if (request.size() >= 2) v.request_id = frame_text(request[1]);
    auto verdict = [&](std::string status, std::string reason, std::string user = {}) {
        v.status = std::move(status);
        v.reason = std::move(reason);
        v.user_id = std::move(user);
        return v;
    };
    if (request.size() < 6 || frame_text(request[0]) != "1.0") return verdict("500", "malformed ZAP request");
    const auto address = frame_text(request[3]);
    const auto mechanism = frame_text(request[5]);
    if (mechanism == "CURVE" && opts.curve()) {
        if (request.size() != 7 || request[6].size() != 32) return verdict("500", "malformed CURVE credentials");
        const auto key = z85(static_cast<const std::uint8_t*>(request[6].data()));
        const auto user = find_allowed_key(opts.allow_dir, key);
        if (user.empty()) return verdict("400", "CURVE key " + key + " from " + address + " is not in " + opts.allow_dir.string());
        return verdict("200", "CURVE key of '" + user + "' from " + address, user);
    }
    if (mechanism == "PLAIN" && opts.plain()) {
        if (request.size() != 8) return verdict("500", "malformed PLAIN credentials");
        const auto user = frame_text(request[6]);
        if (!password_matches(opts.password_file, user, frame_text(request[7])))
            return verdict("400", "wrong user or password for '" + common::printable(user) + "' from " + address);
        return verdict("200", "user '" + common::printable(user) + "' from " + address, user);
    }
    return verdict("400", "mechanism " + common::printable(mechanism) + " from " + address + " is not accepted here");
}

namespace {

// check_zap_request's verdict, or a 500 when it fails (e.g. the password file
// went away).
zap_verdict verdict_for(common::frames request, const server_security& opts)
{
    try {
        return check_zap_request(request, opts);
    } catch (const std::exception& e) {
        return {request.size() >= 2 ? frame_text(request[1]) : "", "500", e.what(), ""};
    }
}

// The reply to a ZAP request: version, request id, status code and text, user
// id, metadata (none).
std::vector<zmq::message_t> zap_reply(const zap_verdict& v)
{
    const std::string status_text = v.status == "200" ? "OK" : v.reason;
    std::vector<zmq::message_t> reply;
    for (const std::string& f : {std::string("1.0"), v.request_id, v.status, status_text, v.user_id, std::string()})
        reply.emplace_back(f.data(), f.size());
    return reply;
}

// A refusal's report: how many refusals it leaves out, if any.
std::string more_refusals(std::uint64_t n)
{
    return n == 0 ? "" : " (and " + std::to_string(n) + " more refusals since the last report)";
}

}  // namespace

zap_handler::zap_handler(zmq::context_t& ctx, const server_security& opts, const common::console& out)
{
    // Bound here, before the server's sockets exist; used only by the thread from now on.
    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    try {
        rep.bind(zap_endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error(std::string("cannot start the ZAP handler: ") + e.what() +
                                 " (one per context: is another secure server in this process?)");
    }
    thread_ = std::jthread([rep = std::move(rep), opts, &out](std::stop_token stop) mutable {
        std::vector<zmq::message_t> request;
        common::throttle refusals(zap_repeat_quiet);  // a guesser must not flood the log
        // slide: chat-zap-handler
        while (common::recv(rep, request, stop)) {
            const auto v = verdict_for(request, opts);  // status 200, 400 or 500
            if (v.status == "200") out.info("accepted ", v.reason);
            else if (const auto quiet = refusals.allow())
                out.warn("refused ", v.reason, more_refusals(*quiet));
            auto reply = zap_reply(v);
            common::send(rep, reply, stop);
        }
        // end slide
    });
}

zap_handler::~zap_handler() = default;  // the jthread asks its thread to stop, and joins

}  // namespace chat
