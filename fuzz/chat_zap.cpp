// The chat server's ZAP handling (examples/chat/security.hpp,
// check_zap_request) with the files it reads at each request: the PLAIN
// password file and a CURVE allow-list key file. Frame 0 is the password
// file, frame 1 the allow-list's alice.pub, the rest the ZAP request.
// Accepted means: the password file has that exact user:password line, or
// the key is alice.pub's.
#include <span>

#include "files.hpp"
#include "fuzz.hpp"
#include "security.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const fuzz::scratch_dir dir;
    static const auto allow = [] {
        std::filesystem::create_directory(dir.path() / "allow");
        return dir.path() / "allow";
    }();
    const auto msg = fuzz::frames(data, size);
    if (msg.size() < 2) return 0;
    chat::server_security opts;
    opts.curve_key_file = "server.key";  // not read here: it only turns CURVE on
    opts.allow_dir = allow;
    opts.password_file = dir.write("passwords", fuzz::text(msg[0]));
    dir.write("allow/alice.pub", fuzz::text(msg[1]));

    const auto request = std::span(msg).subspan(2);
    const auto v = chat::check_zap_request(request, opts);
    FUZZ_CHECK(v.status == "200" || v.status == "400" || v.status == "500");
    FUZZ_CHECK(request.size() < 2 || v.request_id == fuzz::text(request[1]));
    if (v.status == "200") {
        FUZZ_CHECK(request.size() >= 7 && fuzz::text(request[0]) == "1.0");
        const auto mechanism = fuzz::text(request[5]);
        if (mechanism == "PLAIN") {
            const auto line = std::string(fuzz::text(request[6])) + ":" + std::string(fuzz::text(request[7]));
            FUZZ_CHECK(v.user_id == fuzz::text(request[6]));
            FUZZ_CHECK(fuzz::text(msg[0]).find(line) != std::string_view::npos);
        } else {
            FUZZ_CHECK(mechanism == "CURVE" && v.user_id == "alice");
            const auto key = chat::read_key_file(allow / "alice.pub");
            FUZZ_CHECK(key && request[6].size() == 32);
            std::uint8_t bytes[32];
            FUZZ_CHECK(zmq_z85_decode(bytes, key->c_str()) != nullptr && std::memcmp(bytes, request[6].data(), 32) == 0);
        }
    }
    return 0;
}
