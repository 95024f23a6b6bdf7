// workflow-ventilator: hands out a batch of tasks on a PUSH socket.
#include "workflow.hpp"

int main(int argc, char** argv)
{
    workflow::ventilator_options opts;
    common::program prog("workflow-ventilator", "Hands out a batch of option positions to value, to workers on a PUSH socket (Example 2).");
    workflow::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        workflow::run_ventilator(ctx, opts, stop);
    });
}
