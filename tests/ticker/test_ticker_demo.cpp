// scripts/demo, as the presenter and CI run it: the ticker on every transport.
// The demos use the default endpoints; BB_PORT_OFFSET and BB_IPC_DIR move them
// away from a demo that may be running on this machine, and ctest runs these
// tests one at a time (RESOURCE_LOCK).
#include "catch.hpp"
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "endpoints.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

namespace {

const std::string demo_script = std::string(BB_SOURCE_DIR) + "/scripts/demo";
const std::string bin_dir = std::filesystem::path(TICKER_PUB).parent_path().string();

support::run_result demo(std::vector<std::string> args)
{
    support::use_private_default_endpoints();
    std::vector<std::string> argv{"/bin/bash", demo_script, "--bin", bin_dir};
    argv.insert(argv.end(), args.begin(), args.end());
    return support::run(argv, 60s);
}

}  // namespace

TEST_CASE("scripts/demo runs the ticker over tcp, ipc and inproc", "[demo]")
{
    for (const std::string transport : {"tcp", "ipc", "inproc"}) {
        for (const std::string name : {"ticker", "ticker-proxy"}) {
            const auto r = demo({name, "--transport", transport, "--duration", "2.5"});
            INFO(name << " over " << transport << ":\n" << r.output);
            CHECK(r.status == 0);
            CHECK_THAT(r.output, ContainsSubstring("[pub] sent"));
            CHECK_THAT(r.output, ContainsSubstring("[sub-AAPL]") && ContainsSubstring("[sub-M]"));
            CHECK_THAT(r.output, ContainsSubstring("ticks received") || ContainsSubstring("tick received"));
            CHECK_THAT(r.output, ContainsSubstring("following symbols starting with AAPL"));
            if (name == "ticker-proxy") CHECK_THAT(r.output, ContainsSubstring("travels upstream"));
        }
    }
}

TEST_CASE("scripts/demo: Ctrl-C on the terminal stops the whole topology with status 0", "[demo]")
{
    support::use_private_default_endpoints();
    support::process p({"/bin/bash", demo_script, "--bin", bin_dir, "ticker"}, true);
    REQUIRE(p.wait_for("[sub-M] following"));
    REQUIRE(p.wait_for("[pub] publishing"));
    p.signal_group(SIGINT);  // what the terminal does: every process of the job
    INFO(p.output());
    REQUIRE(p.wait_exit(5s) == 0);
    CHECK(p.lines_with("[pub] sent").size() == 1);
    CHECK(p.lines_with("received").size() == 2);
    CHECK(p.lines_with("second signal").empty());
}

TEST_CASE("scripts/demo: --list, and bad arguments give status 2", "[demo]")
{
    const auto list = demo({"--list"});
    CHECK(list.status == 0);
    CHECK_THAT(list.output, ContainsSubstring("ticker") && ContainsSubstring("ticker-proxy"));
    CHECK(demo({"no-such-demo"}).status == 2);
    CHECK(demo({"ticker", "--transport", "udp"}).status == 2);
    CHECK(demo({"ticker", "--duration", "soon"}).status == 2);
    CHECK(demo({"ticker", "--bogus"}).status == 2);
}

TEST_CASE("scripts/demo --dry-run: prints the commands of a valid demo, starts nothing", "[demo]")
{
    const auto r = demo({"ticker-proxy", "--transport", "ipc", "--duration", "3", "--dry-run"});
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK_THAT(r.output, StartsWith("ticker-pub --transport ipc --name pub --duration 3\n"));
    CHECK_THAT(r.output, ContainsSubstring("ticker-proxy --transport ipc") && ContainsSubstring("--symbol M --duration 3"));
    CHECK_THAT(r.output, !ContainsSubstring("[pub]"));
    CHECK(demo({"ticker", "--tmux", "--dry-run"}).status == 0);  // valid, even with no terminal
    CHECK(demo({"no-such-demo", "--dry-run"}).status == 2);
    CHECK(demo({"ticker", "--transport", "udp", "--dry-run"}).status == 2);
}
