// The workflow across hosts: ventilator and sink on one host, workers on two
// others; and a worker host whose link goes down mid-batch.
#include "catch.hpp"

#include "../workflow/expected.hpp"
#include "expect_line.hpp"
#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using hosts_test::expect_line;
using support::process;
using workflow_test::expected_value;

namespace {

// Ventilator and sink on "hub", workers started on the worker hosts.
struct pipeline {
    support::hosts net{"workflow", {"hub", "work1", "work2"}};
    std::unique_ptr<process> ventilator, sink;
    std::vector<std::unique_ptr<process>> workers;
    std::string hub = net.address("hub");

    pipeline(unsigned expected, std::uint32_t batch, std::uint32_t paths)
    {
        ventilator = std::make_unique<process>(net.on("hub", {
            WORKFLOW_VENTILATOR, "--tasks", "tcp://*:5560", "--feedback", "tcp://*:5562", "--control", "tcp://*:5563",
            "--workers", std::to_string(expected), "--batch", std::to_string(batch), "--paths", std::to_string(paths),
            "--retry-after", "0.5", "--name", "ventilator"}));
        expect_line(*ventilator, "control on");
        // The sink reaches the ventilator by its address, as a worker host would.
        sink = std::make_unique<process>(net.on("hub", {
            WORKFLOW_SINK, "--results", "tcp://*:5561", "--feedback", "tcp://" + hub + ":5562",
            "--control", "tcp://" + hub + ":5563", "--name", "sink"}));
        expect_line(*sink, "results on");
    }
    process& add_worker(const std::string& host, const std::string& name)
    {
        workers.push_back(std::make_unique<process>(net.on(host, {
            WORKFLOW_WORKER, "--tasks", "tcp://" + hub + ":5560", "--results", "tcp://" + hub + ":5561",
            "--control", "tcp://" + hub + ":5563", "--name", name})));
        return *workers.back();
    }
    std::string finish()
    {
        for (auto* p : {ventilator.get(), sink.get()}) {
            INFO(p->output());
            REQUIRE(p->wait_exit(60s) == 0);
        }
        const auto line = sink->wait_for("portfolio value ", 0ms);
        INFO(sink->output());
        REQUIRE(line);
        return support::word_after(*line, "portfolio value ");
    }
};

}  // namespace

TEST_CASE("workflow across hosts: workers on two hosts give the one-host total", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    constexpr std::uint32_t batch = 40, paths = 100'000;
    pipeline p(2, batch, paths);
    p.add_worker("work1", "w1");
    p.add_worker("work2", "w2");
    CHECK(p.finish() == expected_value(batch, paths));
    CHECK(p.ventilator->wait_for("all 2 workers are here", 0ms));
    for (auto& w : p.workers) {
        INFO(w->output());
        CHECK(w->wait_exit(10s) == 0);
        CHECK(w->wait_for("leaving (the batch is complete)", 0ms));
    }
}

TEST_CASE("workflow across hosts: a worker host's link goes down mid-batch, same total", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    constexpr std::uint32_t batch = 60, paths = 400'000;
    pipeline p(1, batch, paths);
    // The cut-off worker starts the batch alone, so it surely holds tasks from
    // then on; round-robin keeps giving it every other task once the other is in.
    p.add_worker("work2", "cut-off");
    expect_line(*p.sink, "first result in");
    auto& survivor = p.add_worker("work1", "survivor");
    expect_line(*p.ventilator, "survivor joined mid-batch");
    p.net.link("work2", false);
    // Nothing comes back from work2: its tasks are sent again, to the survivor.
    CHECK(p.finish() == expected_value(batch, paths));
    CHECK(p.ventilator->wait_for("sending again", 0ms));
    INFO(survivor.output());
    CHECK(survivor.wait_exit(10s) == 0);
    // The cut-off worker never hears END: it waits, as a worker does for a ventilator.
    CHECK(!p.workers.front()->wait_exit(0ms));
}
