// The chat across hosts: the server on one host, two clients on others, the
// gateway with a raw TCP user (nc) on a fourth; the server host's link goes
// down until the clients notice, then comes back.
#include "catch.hpp"

#include "expect_line.hpp"
#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using hosts_test::expect_line;
using support::process;

namespace {

// Says numbered lines until `to` hears one: a subscriber that reconnects
// misses what was said before its subscription arrived.
void say_until_heard(process& from, process& to, const std::string& text, const std::string& heard)
{
    for (int i = 1; i <= 20; ++i) {
        from.write_line(text + " " + std::to_string(i));
        if (to.wait_for(heard, 1s)) return;
    }
    INFO(to.output());
    FAIL("never heard: " << heard);
}

}  // namespace

TEST_CASE("chat across hosts: clients and a gateway user re-join after the server host's link comes back", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("chat", {"server", "alice", "bob", "gate"});
    const auto server_at = net.address("server");
    const auto commands = "tcp://" + server_at + ":5570", broadcasts = "tcp://" + server_at + ":5571";
    process server(net.on("server", {CHAT_SERVER, "--bind", "tcp://*:5570", "--publish", "tcp://*:5571", "--name", "server"}));
    expect_line(server, "broadcasts on");
    const std::vector<std::string> quick{"--heartbeat", "0.2", "--timeout", "1"};
    auto client = [&](const std::string& handle) {
        std::vector<std::string> argv{CHAT_CLIENT, "--connect", commands, "--subscribe", broadcasts,
                                      "--handle", handle, "--name", handle};
        argv.insert(argv.end(), quick.begin(), quick.end());
        return std::make_unique<process>(net.on(handle, argv), support::piped_stdin);
    };
    auto alice = client("alice");
    expect_line(*alice, "* alice joined");
    auto bob = client("bob");
    expect_line(*bob, "* bob joined");
    process gateway(net.on("gate", {CHAT_GATEWAY, "--connect", commands, "--subscribe", broadcasts,
                                    "--listen", "tcp://*:5572", "--name", "gateway"}));
    expect_line(gateway, "listening on");
    // The raw TCP user: nc on the gateway's host, through the gateway's own address.
    process nc(net.on("gate", {"/usr/bin/env", "nc", net.address("gate"), "5572"}), support::piped_stdin);
    nc.write_line("ncuser");
    expect_line(nc, "-- joined as ncuser");
    expect_line(*alice, "* ncuser joined");
    nc.write_line("hello from nc");
    expect_line(*bob, "<ncuser> hello from nc");

    // The server's cable is pulled: every client notices, from its own host.
    net.link("server", false);
    expect_line(*alice, "no reply from the server");
    expect_line(*bob, "no reply from the server");
    net.link("server", true);
    expect_line(*alice, "the server is back: joined again as alice");
    expect_line(*bob, "the server is back: joined again as bob");
    say_until_heard(*alice, *bob, "are you back?", "<alice> are you back?");
    say_until_heard(*alice, nc, "and you, nc?", "<alice> and you, nc?");
    say_until_heard(nc, *alice, "yes", "<ncuser> yes");
    CHECK(server.lines_with("alice expired").empty());
}
