// scripts/demo workflow, as the presenter runs it: ventilator, sink and one
// worker per core, over each transport; every process ends by itself.
#include "catch.hpp"

#include "endpoints.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

namespace {

// The default batch's value (seed 1, 200 tasks x 1000000 paths): what one
// worker computes, on this platform's libm.
constexpr const char* default_batch_value = "portfolio value 7734466.276945 ";

void check_demo(const std::string& transport)
{
    support::use_private_default_endpoints();
    support::process demo({BB_SOURCE_DIR "/scripts/demo", "workflow", "--bin", BB_BIN_DIR, "--transport", transport,
                           "--duration", "100"});
    INFO(demo.output());
    REQUIRE(demo.wait_exit(100s) == 0);
    CHECK(demo.wait_for(default_batch_value, 0ms));
    CHECK(demo.wait_for("batch complete", 0ms));
    CHECK(demo.wait_for("END answered by", 0ms));
    CHECK(demo.lines_with("leaving (the batch is complete)").size() >= 1);
    CHECK(demo.lines_with("W:").empty());
    CHECK(demo.lines_with("E:").empty());
}

}  // namespace

TEST_CASE("demo: scripts/demo workflow over tcp", "[demo]") { check_demo("tcp"); }
TEST_CASE("demo: scripts/demo workflow over ipc", "[demo]") { check_demo("ipc"); }
TEST_CASE("demo: scripts/demo workflow over inproc", "[demo]") { check_demo("inproc"); }
