// workflow-sink: PULLs the workers' results and adds them up.
#include "workflow.hpp"

int main(int argc, char** argv)
{
    workflow::sink_options opts;
    common::program prog("workflow-sink", "Collects the workers' results on a PULL socket, shows progress and the total (Example 2).");
    workflow::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        workflow::run_sink(ctx, opts, stop);
    });
}
