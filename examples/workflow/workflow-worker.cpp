// workflow-worker: values the tasks it PULLs, and PUSHes the results to the sink.
#include "workflow.hpp"

int main(int argc, char** argv)
{
    workflow::worker_options opts;
    common::program prog("workflow-worker", "Values option positions by Monte Carlo: PULLs tasks, PUSHes results (Example 2).");
    workflow::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        workflow::run_worker(ctx, opts, stop);
    });
}
