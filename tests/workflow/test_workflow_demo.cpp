// scripts/demo workflow, as the presenter runs it: ventilator, sink and one
// worker per core, over each transport; every process ends by itself.
#include "catch.hpp"

#include "endpoints.hpp"
#include "process.hpp"
#include "workflow.hpp"

using namespace std::chrono_literals;

namespace {

// The default batch's value (seed 1, 200 tasks x 1000000 paths), computed here
// as one worker would: it goes through libm (exp, log, erfc, sin, cos), whose
// last bits differ between releases, so no figure is written down.
std::string default_batch_value()
{
    const workflow::ventilator_options defaults;
    std::int64_t total = 0;
    for (std::uint32_t id = 0; id < defaults.batch; ++id)
        total += workflow::value(workflow::make_task(defaults.seed, id, defaults.batch, defaults.paths)).value;
    return "portfolio value " + workflow::format_micros(total) + " ";
}

void check_demo(const std::string& transport)
{
    support::use_private_default_endpoints();
    support::process demo({BB_SOURCE_DIR "/scripts/demo", "workflow", "--bin", BB_BIN_DIR, "--transport", transport,
                           "--duration", "100"});
    INFO(demo.output());
    REQUIRE(demo.wait_exit(100s) == 0);
    CHECK(demo.wait_for(default_batch_value(), 0ms));  // after the demo: not competing with it
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
