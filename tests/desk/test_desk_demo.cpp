// scripts/demo desk, as the presenter runs it: one desk process (inproc), or
// the services as processes and the desk pointed at them (tcp, ipc).
#include "catch.hpp"

#include "endpoints.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

namespace {

void check_demo(const std::string& transport)
{
    support::use_private_default_endpoints();
    support::process demo({BB_SOURCE_DIR "/scripts/demo", "desk", "--bin", BB_BIN_DIR, "--transport", transport,
                           "--duration", "3"});
    INFO(demo.output());
    REQUIRE(demo.wait_exit(60s) == 0);
    CHECK(demo.wait_for("dashboard on http://127.0.0.1:", 0ms));
    CHECK(demo.wait_for("chat -- joined as desk", 0ms));
    CHECK(demo.wait_for("ticks received", 0ms));
    CHECK(demo.lines_with("E:").empty());
}

}  // namespace

TEST_CASE("demo: scripts/demo desk over tcp", "[demo]") { check_demo("tcp"); }
TEST_CASE("demo: scripts/demo desk over ipc", "[demo]") { check_demo("ipc"); }
TEST_CASE("demo: scripts/demo desk over inproc", "[demo]") { check_demo("inproc"); }
