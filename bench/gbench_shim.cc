// The C API of gbench.h over Google Benchmark (1.7): the only C++ in the
// tree. Each C call is a thin forward to benchmark::State or
// benchmark::internal::Benchmark; the one addition is the summary
// reporter of gbench_main(), which turns the runs into the lines
// tests/run-all.sh counts.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "gbench.h"

// A registered benchmark, as C sees it. Kept in a deque so that the
// pointers handed out stay valid while more are registered.
struct gbench {
	benchmark::internal::Benchmark *b;
};

// One thread's state, as C sees it: lives on the stack of the call.
struct gbench_state {
	benchmark::State *st;
};

namespace {

std::deque<gbench> registered;

const char skip_prefix[] = "skipped: ";

benchmark::Counter::Flags counter_flags(unsigned flags)
{
	int f = benchmark::Counter::kDefaults;

	if (flags & GBENCH_COUNTER_RATE) {
		f |= benchmark::Counter::kIsRate;
	}
	if (flags & GBENCH_COUNTER_AVG_THREADS) {
		f |= benchmark::Counter::kAvgThreads;
	}
	if (flags & GBENCH_COUNTER_AVG_ITERATIONS) {
		f |= benchmark::Counter::kAvgIterations;
	}
	if (flags & GBENCH_COUNTER_ITERATION_INVARIANT) {
		f |= benchmark::Counter::kIsIterationInvariant;
	}
	if (flags & GBENCH_COUNTER_INVERT) {
		f |= benchmark::Counter::kInvert;
	}
	return static_cast<benchmark::Counter::Flags>(f);
}

benchmark::TimeUnit time_unit(enum gbench_time_unit unit)
{
	switch (unit) {
	case GBENCH_US:
		return benchmark::kMicrosecond;
	case GBENCH_MS:
		return benchmark::kMillisecond;
	case GBENCH_S:
		return benchmark::kSecond;
	case GBENCH_NS:
		break;
	}
	return benchmark::kNanosecond;
}

// The run-all.sh parser cuts a SKIP line's name at the first ':'.
std::string plain_name(std::string name)
{
	for (char &c : name) {
		if (c == ':') {
			c = '=';
		}
	}
	return name;
}

// The usual console table, plus a verdict per run kept for the end.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
	SummaryReporter() : benchmark::ConsoleReporter(OO_Tabular) {}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs) {
			if (r.run_type != Run::RT_Iteration) {
				continue;
			}
			std::string name = plain_name(r.benchmark_name());

			if (!r.error_occurred) {
				lines_.push_back("PASS " + name);
				passed_++;
			} else if (r.error_message.rfind(skip_prefix, 0) == 0) {
				lines_.push_back(
					"SKIP " + name + ": " +
					r.error_message.substr(
						sizeof(skip_prefix) - 1));
			} else {
				lines_.push_back("FAIL " + name + ": " +
						 r.error_message);
				failed_++;
			}
		}
		benchmark::ConsoleReporter::ReportRuns(runs);
	}

	// Prints the verdicts and the result line; true when none failed.
	bool Summarize() const
	{
		for (const std::string &l : lines_) {
			std::printf("%s\n", l.c_str());
		}
		std::printf("%u passed, %u failed\n", passed_, failed_);
		return failed_ == 0;
	}

private:
	std::vector<std::string> lines_;
	unsigned passed_ = 0;
	unsigned failed_ = 0;
};

} // namespace

extern "C" {

struct gbench *gbench_register(const char *name, gbench_fn fn, void *arg)
{
	benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
		name, [fn, arg](benchmark::State &st) {
			gbench_state s{&st};

			fn(&s, arg);
		});

	registered.push_back(gbench{b});
	return &registered.back();
}

struct gbench *gbench_arg(struct gbench *b, int64_t x)
{
	b->b->Arg(x);
	return b;
}

struct gbench *gbench_range(struct gbench *b, int64_t lo, int64_t hi)
{
	b->b->Range(lo, hi);
	return b;
}

struct gbench *gbench_arg_name(struct gbench *b, const char *name)
{
	b->b->ArgName(name);
	return b;
}

struct gbench *gbench_threads(struct gbench *b, int n)
{
	b->b->Threads(n);
	return b;
}

struct gbench *gbench_unit(struct gbench *b, enum gbench_time_unit unit)
{
	b->b->Unit(time_unit(unit));
	return b;
}

bool gbench_keep_running(struct gbench_state *st)
{
	return st->st->KeepRunning();
}

bool gbench_keep_running_batch(struct gbench_state *st, int64_t n)
{
	return st->st->KeepRunningBatch(n);
}

void gbench_pause_timing(struct gbench_state *st)
{
	st->st->PauseTiming();
}

void gbench_resume_timing(struct gbench_state *st)
{
	st->st->ResumeTiming();
}

void gbench_set_items_processed(struct gbench_state *st, int64_t items)
{
	st->st->SetItemsProcessed(items);
}

void gbench_set_bytes_processed(struct gbench_state *st, int64_t bytes)
{
	st->st->SetBytesProcessed(bytes);
}

void gbench_counter(struct gbench_state *st, const char *name, double value,
		    unsigned flags)
{
	st->st->counters[name] = benchmark::Counter(value, counter_flags(flags));
}

void gbench_skip_with_error(struct gbench_state *st, const char *msg)
{
	st->st->SkipWithError(msg);
}

void gbench_skip(struct gbench_state *st, const char *why)
{
	std::string msg = std::string(skip_prefix) + why;

	// SkipWithError() keeps its own copy of the message.
	st->st->SkipWithError(msg.c_str());
}

bool gbench_error_occurred(const struct gbench_state *st)
{
	return st->st->error_occurred();
}

int64_t gbench_range_arg(const struct gbench_state *st, size_t i)
{
	return st->st->range(i);
}

int gbench_thread_index(const struct gbench_state *st)
{
	return st->st->thread_index();
}

int gbench_thread_count(const struct gbench_state *st)
{
	return st->st->threads();
}

int64_t gbench_iterations(const struct gbench_state *st)
{
	return st->st->iterations();
}

void gbench_add_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

int gbench_main(int *argc, char **argv, bool summary)
{
	int ret = 0;

	benchmark::Initialize(argc, argv);
	if (benchmark::ReportUnrecognizedArguments(*argc, argv)) {
		return 2;
	}
	if (summary) {
		SummaryReporter rep;

		benchmark::RunSpecifiedBenchmarks(&rep);
		ret = rep.Summarize() ? 0 : 1;
	} else {
		benchmark::RunSpecifiedBenchmarks();
	}
	benchmark::Shutdown();
	return ret;
}

} // extern "C"
