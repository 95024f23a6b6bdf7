// The chat's wire protocol and the ZAP handler's decisions, without sockets.
#include "catch.hpp"
#include <fstream>

#include "endpoints.hpp"
#include "protocol.hpp"
#include "security.hpp"

namespace {

chat::message frames(std::initializer_list<std::string> parts)
{
    chat::message msg;
    for (const auto& p : parts) msg.emplace_back(p.data(), p.size());
    return msg;
}

std::string request_error(std::initializer_list<std::string> parts, std::size_t max_text = 100)
{
    const auto msg = frames(parts);
    const auto r = chat::parse_request(msg, max_text);
    return r ? "accepted" : r.error();
}

}  // namespace

TEST_CASE("well-formed commands parse", "[protocol]")
{
    auto msg = frames({"JOIN", "alice"});
    auto join = chat::parse_request(msg, 100);
    REQUIRE(join);
    CHECK(join->command == "JOIN");
    CHECK(join->name == "alice");

    msg = frames({"SAY", "lobby", "h\xC3\xA9llo"});
    auto say = chat::parse_request(msg, 100);
    REQUIRE(say);
    CHECK(say->name == "lobby");
    CHECK(say->text == "h\xC3\xA9llo");
    for (const char* bare : {"WHO", "LEAVE", "PING"}) CHECK(request_error({bare}) == "accepted");
}

TEST_CASE("every malformed command is an error with a reason", "[protocol]")
{
    CHECK(request_error({"HELLO"}) == "unknown command 'HELLO': expected JOIN, SAY, WHO, LEAVE or PING");
    CHECK(request_error({"join", "alice"}).starts_with("unknown command 'join'"));  // words are case-sensitive
    CHECK(request_error({"JOIN"}) == "JOIN takes 2 frames (JOIN handle), got 1");
    CHECK(request_error({"JOIN", "a", "b"}) == "JOIN takes 2 frames (JOIN handle), got 3");
    CHECK(request_error({"JOIN", ""}) == "handle is empty");
    CHECK(request_error({"JOIN", std::string(25, 'x')}) == "handle is longer than 24 bytes");
    CHECK(request_error({"JOIN", "bad name"}) == "handle 'bad name' may hold only A-Z a-z 0-9 _ . -");
    CHECK(request_error({"SAY", "lobby"}) == "SAY takes 3 frames (SAY room text), got 2");
    CHECK(request_error({"SAY", "lob by", "x"}) == "room 'lob by' may hold only A-Z a-z 0-9 _ . -");
    CHECK(request_error({"SAY", "lobby", ""}) == "text is empty");
    CHECK(request_error({"SAY", "lobby", std::string(101, 'x')}) == "text is longer than 100 bytes");
    CHECK(request_error({"SAY", "lobby", std::string(100, 'x')}) == "accepted");
    CHECK(request_error({"SAY", "lobby", "\xFF\xFE"}) == "text is not valid UTF-8");
    CHECK(request_error({"SAY", "lobby", std::string("a\0b", 3)}) == "text contains a NUL byte");
    CHECK(request_error({"SAY", "lobby", "\x1B[2J"}) == "text contains a control character");
    CHECK(request_error({"WHO", "x"}) == "WHO takes 1 frame (WHO), got 2");
    CHECK(request_error({"PING", ""}) == "PING takes 1 frame (PING), got 2");
    chat::message none;
    CHECK(chat::parse_request(none, 100).error() == "empty message");
}

TEST_CASE("replies and broadcasts parse, and malformed ones are refused", "[protocol]")
{
    auto msg = frames({"OK", "WHO", "alice", "bob"});
    auto who = chat::parse_reply(msg);
    REQUIRE(who);
    CHECK(who->ok);
    CHECK(who->values == std::vector<std::string>{"alice", "bob"});
    msg = frames({"ERROR", "JOIN", "handle 'alice' is taken"});
    auto refused = chat::parse_reply(msg);
    REQUIRE(refused);
    CHECK_FALSE(refused->ok);
    CHECK(refused->values[0] == "handle 'alice' is taken");
    msg = frames({"MAYBE", "JOIN"});
    CHECK_FALSE(chat::parse_reply(msg));
    msg = frames({"ERROR", "JOIN"});
    CHECK_FALSE(chat::parse_reply(msg));

    msg = frames({"lobby", "MSG", "alice", "hi"});
    auto said = chat::parse_broadcast(msg, 100);
    REQUIRE(said);
    CHECK(said->text == "hi");
    msg = frames({"*", "EXPIRED", "bob"});
    CHECK(chat::parse_broadcast(msg, 100));
    msg = frames({"*", "EXPLODED", "bob"});
    CHECK(chat::parse_broadcast(msg, 100).error() == "unknown presence event 'EXPLODED'");
    msg = frames({"lobby", "MSG", "alice"});
    CHECK(chat::parse_broadcast(msg, 100).error() == "a MSG broadcast has 4 frames, got 3");
    msg = frames({"lobby", "MSG", "alice", "\x07"});
    CHECK(chat::parse_broadcast(msg, 100).error() == "text contains a control character");
}

TEST_CASE("key files round-trip, and bad ones are refused", "[protocol]")
{
    support::private_dir dir;
    const auto keys = chat::generate_keypair();
    chat::write_keypair(dir.path(), "alice", keys);
    CHECK(*chat::read_key_file(dir.path() / "alice.pub") == keys.public_key);
    CHECK(*chat::read_key_file(dir.path() / "alice.key") == keys.secret_key);
    CHECK(*chat::public_key_of(keys.secret_key) == keys.public_key);
    CHECK((std::filesystem::status(dir.path() / "alice.key").permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);

    std::ofstream(dir.path() / "bad.pub") << "# not a key\nhello\n";
    CHECK_THAT(chat::read_key_file(dir.path() / "bad.pub").error(), ContainsSubstring("does not hold one Z85 key"));
    CHECK_THAT(chat::read_key_file(dir.path() / "missing.pub").error(), ContainsSubstring("cannot read"));
}

TEST_CASE("the ZAP handler's decisions follow RFC 27 and the allow-list", "[protocol]")
{
    support::private_dir dir;
    const auto alice = chat::generate_keypair(), mallory = chat::generate_keypair();
    chat::write_keypair(dir.path(), "alice", alice);
    std::filesystem::create_directory(dir.path() / "allow");
    std::filesystem::copy(dir.path() / "alice.pub", dir.path() / "allow" / "alice.pub");
    std::ofstream(dir.path() / "passwords") << "# user:password\nbob:secret\n";

    auto curve_request = [](const std::string& z85) {
        std::uint8_t key[32];
        zmq_z85_decode(key, z85.c_str());
        auto msg = frames({"1.0", "7", "chat", "10.0.0.1", "", "CURVE"});
        msg.emplace_back(key, 32);
        return msg;
    };
    chat::server_security curve;
    curve.curve_key_file = "unused";
    curve.allow_dir = dir.path() / "allow";

    auto v = chat::check_zap_request(curve_request(alice.public_key), curve);
    CHECK(v.status == "200");
    CHECK(v.request_id == "7");
    CHECK(v.user_id == "alice");
    v = chat::check_zap_request(curve_request(mallory.public_key), curve);
    CHECK(v.status == "400");
    CHECK_THAT(v.reason, ContainsSubstring(mallory.public_key) && ContainsSubstring("10.0.0.1"));

    // Untrusted input: whatever the frames, an answer and no crash.
    CHECK(chat::check_zap_request(frames({"1.0", "7"}), curve).status == "500");
    CHECK(chat::check_zap_request(frames({"2.0", "7", "chat", "a", "", "CURVE", "x"}), curve).status == "500");
    CHECK(chat::check_zap_request(frames({"1.0", "7", "chat", "a", "", "CURVE", "short"}), curve).status == "500");
    CHECK(chat::check_zap_request(frames({"1.0", "7", "chat", "a", "", "NULL"}), curve).status == "400");
    CHECK(chat::check_zap_request(frames({}), curve).status == "500");

    chat::server_security plain;
    plain.password_file = dir.path() / "passwords";
    CHECK(chat::check_zap_request(frames({"1.0", "1", "chat", "a", "", "PLAIN", "bob", "secret"}), plain).status == "200");
    CHECK(chat::check_zap_request(frames({"1.0", "1", "chat", "a", "", "PLAIN", "bob", "guess"}), plain).status == "400");
    CHECK(chat::check_zap_request(frames({"1.0", "1", "chat", "a", "", "PLAIN", "bob:secret", ""}), plain).status == "400");
    CHECK(chat::check_zap_request(frames({"1.0", "1", "chat", "a", "", "PLAIN", "bob"}), plain).status == "500");
    CHECK(chat::check_zap_request(curve_request(alice.public_key), plain).status == "400");  // CURVE not accepted here
}
