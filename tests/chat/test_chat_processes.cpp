// The chat's programs as separate processes, over tcp and ipc.
#include "catch.hpp"
#include <csignal>
#include <fstream>
#include <zmq_addon.hpp>

#include "chat_test_util.hpp"
#include "cli.hpp"
#include "common/program.hpp"
#include "common/stop.hpp"

using namespace chat_test;

namespace {

// Two clients join, talk, see each other's presence; /who; a leave.
void check_two_clients(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir);
    auto alice = start_client(s, "alice");
    auto bob = start_client(s, "bob");
    expect_line(*alice, "* bob joined");

    alice->write_line("hello bob");
    expect_line(*bob, "<alice> hello bob");
    bob->write_line("hi alice, caf\xC3\xA9?");
    expect_line(*alice, "<bob> hi alice, caf\xC3\xA9?");
    bob->write_line("/who");
    expect_line(*bob, "present: alice, bob");

    bob->close_stdin();  // end of input: bob leaves and exits
    INFO(bob->output());
    REQUIRE(bob->wait_exit(5s) == 0);
    CHECK(bob->wait_for("heard 1 message from others", 0ms));
    expect_line(*alice, "* bob left");
    expect_line(*s.proc, "bob left");

    alice->signal(SIGINT);
    CHECK(alice->wait_exit(5s) == 0);
    expect_line(*s.proc, "alice left");  // a client stopped by Ctrl-C says goodbye too
}

void check_duplicate_handle(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir);
    auto alice = start_client(s, "alice");
    auto impostor = start_client(s, "alice", {"--name", "impostor"}, false);
    INFO(impostor->output());
    CHECK(impostor->wait_exit(10s) == 1);
    CHECK(impostor->wait_for("cannot join as 'alice': handle 'alice' is taken", 0ms));
    expect_line(*s.proc, "handle 'alice' is taken");
    // The first alice is unaffected.
    alice->write_line("still here");
    expect_line(*alice, "<alice> still here");
}

// A client that stops talking is expired; one that heartbeats is not.
void check_expiry(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir, {"--expiry", "1.5"});
    auto watcher = start_client(s, "watcher", {"--heartbeat", "0.1", "--timeout", "1"});

    auto ctx = common::make_context();
    raw_client ghost(ctx, s.commands);
    REQUIRE(ghost.ask({"JOIN", "ghost"}) == std::vector<std::string>{"OK", "JOIN", "ghost"});
    expect_line(*watcher, "* ghost joined");
    expect_line(*watcher, "* ghost expired");  // then silence
    expect_line(*s.proc, "ghost expired (silent for too long)");
    const auto after = ghost.ask({"PING"});
    CHECK(after == std::vector<std::string>{"ERROR", "PING", "not joined: send JOIN first"});
    CHECK(watcher->lines_with("watcher expired").empty());
    CHECK(s.proc->lines_with("watcher expired").empty());
}

// The server dies; clients notice, reconnect, re-join by themselves, and talk again.
void check_server_restart(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir);
    const std::vector<std::string> quick{"--heartbeat", "0.2", "--timeout", "1"};
    auto alice = start_client(s, "alice", quick);
    auto bob = start_client(s, "bob", quick);

    s.proc->signal(SIGKILL);
    REQUIRE(s.proc->wait_exit(5s));
    expect_line(*alice, "no reply from the server");
    expect_line(*bob, "no reply from the server");

    // Same endpoints: the tcp port or ipc file the first one had.
    auto again = start_server_at(s.commands, s.broadcasts);
    expect_line(*alice, "the server is back: joined again as alice");
    expect_line(*bob, "the server is back: joined again as bob");
    expect_line(*bob, "listening to the room again");  // the new server welcomed bob's fresh SUB
    alice->write_line("are you back?");
    expect_line(*again.proc, "alice -> lobby: are you back?");
    expect_line(*bob, "<alice> are you back?");
}

// A client that reconnects (Lazy Pirate: a fresh socket) while the server still
// holds its old connection keeps its handle at once: same routing id, handed over.
void check_reconnect_keeps_handle(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir, {"--expiry", "60"});  // far longer than the test waits
    auto alice = start_client(s, "alice", {"--heartbeat", "0.2", "--timeout", "1"});
    s.proc->signal(SIGSTOP);  // the server hangs: alice gives up on her socket...
    expect_line(*alice, "no reply from the server");
    s.proc->signal(SIGCONT);  // ...and her fresh one is still alice
    expect_line(*alice, "the server is back: joined again as alice");
    CHECK(alice->lines_with("cannot join yet").empty());
    alice->write_line("still me");
    expect_line(*alice, "<alice> still me");
    CHECK(s.proc->lines_with("alice expired").empty());
    CHECK(s.proc->lines_with("alice left").empty());
}

// A client killed with no goodbye, started again with its handle: it joins at
// once, because the server sees the old connection is closed.
void check_restarted_client(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir, {"--expiry", "60"});
    auto watcher = start_client(s, "watcher");
    auto alice = start_client(s, "alice");
    expect_line(*watcher, "* alice joined");
    alice->signal(SIGKILL);
    REQUIRE(alice->wait_exit(5s));
    auto again = start_client(s, "alice", {"--name", "alice-again"});  // fails if refused: the handle is taken
    expect_line(*watcher, "* alice left");
    expect_line(*s.proc, "alice's connection is closed");
    again->write_line("back already");
    expect_line(*watcher, "<alice> back already");
    CHECK(s.proc->lines_with("alice expired").empty());
}

// Somebody with nc: lines in, lines out, through the STREAM gateway.
void check_gateway(const std::string& transport)
{
    support::private_dir dir;
    auto s = start_server(transport, dir);
    process gateway({CHAT_GATEWAY, "--connect", s.commands, "--subscribe", s.broadcasts, "--listen", support::any_tcp,
                     "--max-text", "100"});
    const auto listening = support::endpoint_in(expect_line(gateway, "listening on"));
    auto zed = start_client(s, "zed");

    tcp_peer nc(listening);
    REQUIRE(nc.read_until("Your handle? "));
    nc.send("not a handle!\n");
    REQUIRE(nc.read_until("! 1-24 characters"));
    nc.send("zed\r\n");  // taken: asked again
    REQUIRE(nc.read_until("handle 'zed' is taken"));
    nc.send("ncuser\r\n");  // telnet sends CR LF
    REQUIRE(nc.read_until("-- joined as ncuser"));
    expect_line(*zed, "* ncuser joined");

    nc.send("hello from ");  // TCP has no message boundaries: a line may come in pieces
    nc.send("nc\n");
    expect_line(*zed, "<ncuser> hello from nc");
    zed->write_line("hello nc");
    INFO(nc.received());
    CHECK(nc.read_until("<zed> hello nc\n"));
    nc.send("/who\n");
    CHECK(nc.read_until("-- present: ncuser, zed"));

    nc.send("\xFF\xFE\n");
    CHECK(nc.read_until("! the server refused SAY: text is not valid UTF-8"));
    nc.send(std::string(1000, 'x') + "\n");
    CHECK(nc.read_until("! that line is too long: dropped"));
    nc.send("/quit\n");
    CHECK(nc.read_until("-- bye!"));
    CHECK(nc.closed_by_peer());
    expect_line(*zed, "* ncuser left");
    CHECK(zed->lines_with("<ncuser>").size() == 1);  // the bad lines never reached the room
}

}  // namespace

TEST_CASE("tcp: two clients join, talk, and see each other come and go", "[tcp]") { check_two_clients("tcp"); }
TEST_CASE("ipc: two clients join, talk, and see each other come and go", "[ipc]") { check_two_clients("ipc"); }
TEST_CASE("tcp: a handle already taken is refused", "[tcp]") { check_duplicate_handle("tcp"); }
TEST_CASE("ipc: a handle already taken is refused", "[ipc]") { check_duplicate_handle("ipc"); }
TEST_CASE("tcp: a silent client expires, a heartbeating one stays", "[tcp]") { check_expiry("tcp"); }
TEST_CASE("ipc: a silent client expires, a heartbeating one stays", "[ipc]") { check_expiry("ipc"); }
TEST_CASE("tcp: clients re-join a restarted server by themselves", "[tcp]") { check_server_restart("tcp"); }
TEST_CASE("ipc: clients re-join a restarted server by themselves", "[ipc]") { check_server_restart("ipc"); }
TEST_CASE("tcp: a client that reconnects keeps its handle at once", "[tcp]") { check_reconnect_keeps_handle("tcp"); }
TEST_CASE("ipc: a client that reconnects keeps its handle at once", "[ipc]") { check_reconnect_keeps_handle("ipc"); }
TEST_CASE("tcp: a killed client started again gets its handle at once", "[tcp]") { check_restarted_client("tcp"); }
TEST_CASE("ipc: a killed client started again gets its handle at once", "[ipc]") { check_restarted_client("ipc"); }
TEST_CASE("tcp: a raw TCP peer chats through the STREAM gateway", "[tcp]") { check_gateway("tcp"); }
TEST_CASE("ipc: a raw TCP peer chats through the gateway, which reaches the server over ipc", "[ipc]") { check_gateway("ipc"); }

TEST_CASE("tcp: every malformed command gets an error reply, and nobody else notices", "[tcp]")
{
    auto s = start_server("tcp", {}, {"--max-text", "100"});
    auto bystander = start_client(s, "bystander");
    auto ctx = common::make_context();
    raw_client raw(ctx, s.commands);
    using v = std::vector<std::string>;
    auto error = [&](const v& frames) {
        const auto reply = raw.ask(frames);
        INFO(s.proc->output());
        REQUIRE(reply.size() == 3);
        CHECK(reply[0] == "ERROR");
        return reply[2];
    };

    CHECK(error({"HELLO"}) == "unknown command 'HELLO': expected JOIN, SAY, WHO, LEAVE or PING");
    CHECK(error({""}).starts_with("unknown command ''"));
    CHECK(error({"\xFF\x01"}).starts_with("unknown command '\\xFF\\x01'"));
    CHECK(error({"SAY", "lobby", "sneaky"}) == "not joined: send JOIN first");
    CHECK(error({"JOIN"}) == "JOIN takes 2 frames (JOIN handle), got 1");
    CHECK(error({"JOIN", "a", "b"}) == "JOIN takes 2 frames (JOIN handle), got 3");
    CHECK(error({"JOIN", ""}) == "handle is empty");
    CHECK(error({"JOIN", "two words"}) == "handle 'two words' may hold only A-Z a-z 0-9 _ . -");
    CHECK(error({"JOIN", "bystander"}) == "handle 'bystander' is taken");
    REQUIRE(raw.ask({"JOIN", "tester"}) == v{"OK", "JOIN", "tester"});
    CHECK(error({"JOIN", "other"}) == "already joined as 'tester'; LEAVE first");
    CHECK(error({"SAY", "lobby"}) == "SAY takes 3 frames (SAY room text), got 2");
    CHECK(error({"SAY", "lobby", ""}) == "text is empty");
    CHECK(error({"SAY", "lobby", std::string(101, 'x')}) == "text is longer than 100 bytes");
    CHECK(error({"SAY", "lobby", "caf\xC3"}) == "text is not valid UTF-8");
    CHECK(error({"SAY", "lobby", std::string("a\0b", 3)}) == "text contains a NUL byte");
    CHECK(error({"SAY", "lobby", "\x1B[2Jgotcha"}) == "text contains a control character");
    CHECK(error({"SAY", "no room!", "x"}) == "room 'no room!' may hold only A-Z a-z 0-9 _ . -");
    CHECK(error({"WHO", "extra"}) == "WHO takes 1 frame (WHO), got 2");
    CHECK(raw.ask({"WHO"}) == v{"OK", "WHO", "bystander", "tester"});
    expect_line(*s.proc, "WHO takes 1 frame (WHO), got 2");  // the server logged them all, in order
    CHECK(s.proc->lines_with("W: refused a command").size() == 18);

    // A frame past ZMQ_MAXMSGSIZE (max text + 256): libzmq drops the connection
    // before reading it into memory. No reply; the server goes on.
    zmq::socket_t events(ctx, zmq::socket_type::pair);
    REQUIRE(zmq_socket_monitor(raw.socket().handle(), "inproc://raw-events", ZMQ_EVENT_DISCONNECTED) == 0);
    events.connect("inproc://raw-events");
    CHECK(raw.ask({"SAY", "lobby", std::string(100'000, 'x')}, 1s).empty());
    std::vector<zmq::message_t> event;
    CHECK(common::recv(events, event, {}, 5s));  // it was disconnected
    zmq_socket_monitor(raw.socket().handle(), nullptr, 0);

    // Everyone else carries on.
    bystander->write_line("all good here");
    expect_line(*bystander, "<bystander> all good here");
    CHECK(bystander->lines_with("W:").empty());
    CHECK(bystander->lines_with("<tester>").empty());
}

TEST_CASE("tcp: a client reports what the server refused and carries on", "[tcp]")
{
    auto s = start_server("tcp", {}, {"--max-text", "10"});
    auto alice = start_client(s, "alice");
    alice->write_line("this is far too long");
    alice->write_line("short");
    expect_line(*alice, "W: the server refused SAY: text is longer than 10 bytes");
    expect_line(*alice, "<alice> short");
}

TEST_CASE("tcp: CURVE lets an allowed key in, keeps an unknown key out, and hides the text", "[tcp]")
{
    support::private_dir dir;
    const auto keys = dir.path() / "keys", allow = dir.path() / "allow";
    for (const char* who : {"server", "alice", "mallory"})
        REQUIRE(support::run({CHAT_KEYGEN, who, "--dir", keys.string()}).status == 0);
    std::filesystem::create_directory(allow);
    std::filesystem::copy(keys / "alice.pub", allow / "alice.pub");

    // Every byte between the client and the server goes through relays that record them.
    auto check_wire = [&](std::vector<std::string> server_args, std::vector<std::string> client_args) {
        auto s = start_server("tcp", dir, server_args);
        tcp_relay commands(s.commands), broadcasts(s.broadcasts);
        server via{nullptr, commands.endpoint(), broadcasts.endpoint()};
        auto alice = start_client(via, "alice", client_args, false);
        expect_line(*alice, "* alice joined", s.proc.get());
        alice->write_line("the eagle lands at midnight");
        expect_line(*alice, "<alice> the eagle lands at midnight", s.proc.get());
        return commands.bytes() + broadcasts.bytes();
    };
    const std::string secret = "the eagle lands at midnight";
    const auto curve_client = std::vector<std::string>{"--curve", (keys / "server.pub").string(), "--key", (keys / "alice.key").string()};
    const auto encrypted = check_wire({"--curve", (keys / "server.key").string(), "--allow", allow.string()}, curve_client);
    CHECK(encrypted.find(secret) == std::string::npos);
    CHECK(encrypted.find("JOIN") == std::string::npos);
    CHECK(encrypted.find("CURVE") != std::string::npos);  // the handshake names the mechanism
    // The control experiment: without security, the same relays see the text.
    const auto clear = check_wire({}, {});
    CHECK(clear.find(secret) != std::string::npos);

    // An unknown key: the ZAP handler says no, the client says why and stops.
    auto s = start_server("tcp", dir, {"--curve", (keys / "server.key").string(), "--allow", allow.string()});
    auto mallory = start_client(s, "mallory", {"--curve", (keys / "server.pub").string(), "--key", (keys / "mallory.key").string()}, false);
    INFO(mallory->output());
    CHECK(mallory->wait_exit(10s) == 1);
    CHECK(mallory->wait_for("credentials refused (ZAP status 400)", 0ms));
    expect_line(*s.proc, "refused CURVE key");
    // No security at all against a CURVE server: a mechanism mismatch, said on both sides.
    auto plain_client = start_client(s, "nobody", {}, false);
    CHECK(plain_client->wait_exit(10s) == 1);
    CHECK(plain_client->wait_for("different security mechanisms", 0ms));
    expect_line(*s.proc, "refused a client");
    // And alice still gets in.
    auto alice = start_client(s, "alice", curve_client);
    expect_line(*s.proc, "alice joined (authenticated as 'alice')");
}

TEST_CASE("tcp: PLAIN lets the right password in and the wrong one out", "[tcp]")
{
    support::private_dir dir;
    const auto passwords = dir.path() / "passwords";
    std::ofstream(passwords) << "# user:password\nalice:wonderland\n";
    auto s = start_server("tcp", dir, {"--passwords", passwords.string()});
    expect_line(*s.proc, "security: PLAIN");

    auto alice = start_client(s, "alice", {"--plain", "alice:wonderland"});
    expect_line(*s.proc, "alice joined (authenticated as 'alice')");
    auto guesser = start_client(s, "guesser", {"--plain", "alice:looking-glass"}, false);
    INFO(guesser->output());
    CHECK(guesser->wait_exit(10s) == 1);
    CHECK(guesser->wait_for("credentials refused", 0ms));
    expect_line(*s.proc, "W: refused wrong user or password for 'alice'");
    alice->write_line("only me");
    expect_line(*alice, "<alice> only me");
}

TEST_CASE("SIGINT stops every chat program with status 0 within a second", "[tcp]")
{
    auto s = start_server("tcp", {});
    auto client = start_client(s, "alice");
    process gateway({CHAT_GATEWAY, "--connect", s.commands, "--subscribe", s.broadcasts, "--listen", support::any_tcp});
    expect_line(gateway, "listening on");
    process demo({CHAT_DEMO, "--no-gateway", "--bot-interval", "0.2"});
    expect_line(demo, "<bob>");  // a bot's line went all the way round

    for (auto* p : {client.get(), &gateway, &demo, s.proc.get()}) {
        const auto start = std::chrono::steady_clock::now();
        p->signal(SIGINT);
        INFO(p->output());
        CHECK(p->wait_exit(5s) == 0);
        CHECK(std::chrono::steady_clock::now() - start < 1s);
    }
}

TEST_CASE("bad options give status 2 and say what is wrong", "[cli]")
{
    support::private_dir dir;
    const auto key = (dir.path() / "x.key").string();
    std::ofstream(key) << "x\n";
    const std::vector<std::vector<std::string>> cases{
        {CHAT_SERVER, "--expiry", "0"},
        {CHAT_SERVER, "--curve", key},
        {CHAT_SERVER, "--allow", dir.path().string()},
        {CHAT_SERVER, "--curve", (dir.path() / "missing").string(), "--allow", dir.path().string()},
        {CHAT_SERVER, "--curve", key, "--allow", dir.path().string(), "--passwords", key},
        {CHAT_SERVER, "--transport", "inproc"},
        {CHAT_SERVER, "--max-text", "0"},
        {CHAT_CLIENT, "--handle", "two words"},
        {CHAT_CLIENT, "--name", "bad name!"},
        {CHAT_CLIENT, "--curve", key},
        {CHAT_CLIENT, "--plain", "no-colon"},
        {CHAT_CLIENT, "--heartbeat", "5", "--timeout", "1"},
        {CHAT_CLIENT, "--room", "#lobby"},
        {CHAT_CLIENT, "--count", "-1"},
        {CHAT_GATEWAY, "--listen", "ipc:///tmp/x"},
        {CHAT_GATEWAY, "--max-people", "0"},
        {CHAT_KEYGEN},
        {CHAT_KEYGEN, "../escape"},
        {CHAT_DEMO, "--bot-interval", "0"},
    };
    support::check_usage_errors(cases);
}

TEST_CASE("runtime errors give status 1 and a clear message", "[cli]")
{
    support::private_dir dir;
    auto s = start_server("tcp", dir);
    const auto in_use = support::run({CHAT_SERVER, "--bind", s.commands, "--publish", support::any_tcp});
    CHECK(in_use.status == 1);
    CHECK_THAT(in_use.output, ContainsSubstring("cannot bind") && ContainsSubstring("in use"));

    const auto bad_key = (dir.path() / "bad.key").string();
    std::ofstream(bad_key) << "# a comment\nnot a key\n";
    const auto r = support::run({CHAT_SERVER, "--bind", support::any_tcp, "--publish", support::any_tcp, "--curve", bad_key,
                                 "--allow", dir.path().string()});
    CHECK(r.status == 1);
    CHECK_THAT(r.output, ContainsSubstring("does not hold one Z85 key"));

    REQUIRE(support::run({CHAT_KEYGEN, "server", "--dir", dir.path().string()}).status == 0);
    const auto again = support::run({CHAT_KEYGEN, "server", "--dir", dir.path().string()});
    CHECK(again.status == 1);
    CHECK_THAT(again.output, ContainsSubstring("exists: pass --force"));
    CHECK(support::run({CHAT_KEYGEN, "server", "--dir", dir.path().string(), "--force", "--quiet"}).status == 0);
}

TEST_CASE("every chat program answers --help", "[cli]")
{
    support::check_help({CHAT_SERVER, CHAT_CLIENT, CHAT_GATEWAY, CHAT_KEYGEN, CHAT_DEMO});
}
