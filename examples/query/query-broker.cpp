// query-broker: ROUTER/DEALER and XSUB/XPUB proxies in front of several query-servers.
#include "query.hpp"

int main(int argc, char** argv)
{
    query::broker_options opts;
    common::program prog("query-broker", "Shares queries out among query-servers and merges their updates (Example 4).");
    query::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        query::run_broker(ctx, opts, stop);
    });
}
