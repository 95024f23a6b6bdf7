// scripts/demo chat, as the presenter runs it: server, gateway and two bots over
// tcp and ipc (processes) and inproc (threads of chat-demo). The demo uses the
// default endpoints: BB_PORT_OFFSET and BB_IPC_DIR move them away from a demo
// running on this machine, and ctest runs these tests one at a time (RESOURCE_LOCK).
#include "catch.hpp"

#include "chat_test_util.hpp"

using namespace std::chrono_literals;

namespace {

void check_demo(const std::string& transport)
{
    support::use_private_default_endpoints();
    // Each bot says its first line 1.5 or 3 s after it joined; 5 s leaves both time to be heard.
    support::process demo({BB_SOURCE_DIR "/scripts/demo", "chat", "--bin", BB_BIN_DIR, "--transport", transport,
                           "--duration", "5"});
    // The gateway listens on tcp whatever the transport: somebody with nc joins in.
    const auto listening = chat_test::expect_line(demo, "[gateway] listening on");
    chat_test::expect_line(demo, "[alice] -- joined as alice");
    chat_test::expect_line(demo, "[bob] -- joined as bob");
    chat_test::tcp_peer nc(support::endpoint_in(listening));
    REQUIRE(nc.read_until("Your handle? "));
    nc.send("carol\n");
    INFO(nc.received());
    REQUIRE(nc.read_until("-- joined as carol"));
    nc.send("hello bots\n");
    CHECK(nc.read_until("<alice> "));
    CHECK(nc.read_until("<bob> "));

    INFO(demo.output());
    REQUIRE(demo.wait_exit(20s) == 0);
    CHECK(demo.wait_for("[alice] <bob> ", 0ms));
    CHECK(demo.wait_for("[bob] <alice> ", 0ms));
    CHECK(demo.wait_for("[alice] <carol> hello bots", 0ms));
    CHECK(demo.wait_for("[server] stopped after", 0ms));
    CHECK(demo.lines_with("W:").empty());
    CHECK(demo.lines_with("E:").empty());
}

}  // namespace

TEST_CASE("demo: scripts/demo chat over tcp", "[demo]") { check_demo("tcp"); }
TEST_CASE("demo: scripts/demo chat over ipc", "[demo]") { check_demo("ipc"); }
TEST_CASE("demo: scripts/demo chat over inproc", "[demo]") { check_demo("inproc"); }
