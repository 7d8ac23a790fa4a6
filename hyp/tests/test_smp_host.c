/*
 * CPU bring-up, jobs and hotplug (smp.c) over the host arch, where CPU_ON
 * starts a thread that runs the same arrival and job loop as a secondary
 * at EL2. cpus[] and ncpus are globals: every test starts from a clean set
 * and stops its CPUs and restores them at the end, whatever happened.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/arch/smp.h>
#include <faultline/cpu.h>
#include <faultline/err.h>
#include <faultline/smp.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#define SMP_NCPUS 3
#define SMP_TIMEOUT_NS UINT64_C(5000000000)

static unsigned smp_saved_ncpus;
static unsigned smp_saved_state0;
static _Atomic bool smp_release;

/* Resets CPU @i's bookkeeping to "never started". */
static void smp_reset_cpu(unsigned i)
{
	cpus[i].index = i;
	cpus[i].mpidr = 0x100 * i;
	atomic_store(&cpus[i].state, CPU_STATE_OFF);
	atomic_store(&cpus[i].boot_count, 0);
	atomic_store(&cpus[i].job, NULL);
	atomic_store(&cpus[i].stop_requested, false);
	cpus[i].job_arg = 0;
	cpus[i].job_result = 0;
}

/* Makes the test thread CPU 0, online, in a machine of SMP_NCPUS CPUs. */
static void smp_setup(void)
{
	smp_saved_ncpus = ncpus;
	smp_saved_state0 = atomic_load(&cpus[0].state);
	ncpus = SMP_NCPUS;
	for (unsigned i = 0; i < SMP_NCPUS; i++) {
		smp_reset_cpu(i);
	}
	atomic_store(&cpus[0].state, CPU_STATE_ONLINE);
	atomic_store(&smp_release, true);
}

/* Stops whatever CPU is still running and puts the globals back. */
static void smp_teardown(struct test_ctx *test_ctx)
{
	atomic_store(&smp_release, true);
	for (unsigned i = 1; i < SMP_NCPUS; i++) {
		if (arch_cpu_is_off(i) == 1) {
			continue;
		}
		/* A thread is running: make sure smp_stop_cpu accepts it. */
		while (atomic_load(&cpus[i].job) != NULL) {
			sched_yield();
		}
		atomic_store(&cpus[i].state, CPU_STATE_ONLINE);
		EXPECT_EQ_INT(smp_stop_cpu(i, SMP_TIMEOUT_NS), 0);
	}
	for (unsigned i = 0; i < SMP_NCPUS; i++) {
		smp_reset_cpu(i);
	}
	atomic_store(&cpus[0].state, smp_saved_state0);
	ncpus = smp_saved_ncpus;
	/* The secondaries traced cpu_up/cpu_off into their rings. */
	trace_rings_reset();
}

/* A job that says which CPU ran it. */
static uint64_t smp_job_whoami(uint64_t arg)
{
	return arch_cpu_index() * 1000 + arg;
}

/* A job that waits until smp_release is set. */
static uint64_t smp_job_wait(uint64_t arg)
{
	while (!atomic_load(&smp_release)) {
		sched_yield();
	}
	return arg + 1;
}

static void smp_start_run_stop_restart(struct test_ctx *test_ctx)
{
	uint64_t r = 0;

	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(atomic_load(&cpus[1].state), CPU_STATE_ONLINE);
	EXPECT_EQ(atomic_load(&cpus[1].boot_count), 1);
	EXPECT_EQ(arch_cpu_is_off(1), 0);
	ASSERT_EQ_INT(smp_run_on(1, smp_job_whoami, 5, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 1005);
	ASSERT_EQ_INT(smp_start_cpu(2, SMP_TIMEOUT_NS), 0);
	ASSERT_EQ_INT(smp_run_on(2, smp_job_whoami, 7, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 2007);
	/* The calling CPU runs its own jobs inline. */
	ASSERT_EQ_INT(smp_run_on(0, smp_job_whoami, 9, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 9);

	ASSERT_EQ_INT(smp_stop_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(arch_cpu_is_off(1), 1);
	EXPECT_EQ_INT(smp_run_on(1, smp_job_whoami, 5, &r, SMP_TIMEOUT_NS),
		      -ERR_INVAL);
	/* CPU 2 is unaffected. */
	ASSERT_EQ_INT(smp_run_on(2, smp_job_whoami, 8, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 2008);

	/* Back on: through the init again, and serving jobs. */
	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(atomic_load(&cpus[1].boot_count), 2);
	ASSERT_EQ_INT(smp_run_on(1, smp_job_whoami, 6, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 1006);
}

/** A CPU comes up, runs jobs, turns off, and comes back with boot_count 2. */
TEST(smp_host, start_run_stop_restart)
{
	smp_setup();
	smp_start_run_stop_restart(test_ctx);
	smp_teardown(test_ctx);
}

static void smp_many_jobs(struct test_ctx *test_ctx)
{
	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	ASSERT_EQ_INT(smp_start_cpu(2, SMP_TIMEOUT_NS), 0);
	for (uint64_t i = 0; i < 500; i++) {
		unsigned cpu = 1 + (unsigned)(i % 2);
		uint64_t r = 0;

		ASSERT_EQ_INT(
			smp_run_on(cpu, smp_job_whoami, i, &r, SMP_TIMEOUT_NS),
			0);
		ASSERT_EQ(r, cpu * 1000 + i);
	}
}

/** Each of many back-to-back jobs returns its own result from the right CPU. */
TEST(smp_host, many_jobs_hand_off_results)
{
	smp_setup();
	smp_many_jobs(test_ctx);
	smp_teardown(test_ctx);
}

static void smp_bad_indexes(struct test_ctx *test_ctx)
{
	uint64_t r = 0;

	EXPECT_EQ_INT(smp_start_cpu(0, SMP_TIMEOUT_NS), -ERR_INVAL);
	EXPECT_EQ_INT(smp_start_cpu(SMP_NCPUS, SMP_TIMEOUT_NS), -ERR_INVAL);
	EXPECT_EQ_INT(smp_start_cpu(PLATFORM_MAX_CPUS + 5, SMP_TIMEOUT_NS),
		      -ERR_INVAL);
	EXPECT_EQ_INT(
		smp_run_on(SMP_NCPUS, smp_job_whoami, 0, &r, SMP_TIMEOUT_NS),
		-ERR_INVAL);
	EXPECT_EQ_INT(smp_run_on(1, smp_job_whoami, 0, &r, SMP_TIMEOUT_NS),
		      -ERR_INVAL);
	EXPECT_EQ_INT(smp_stop_cpu(0, SMP_TIMEOUT_NS), -ERR_INVAL);
	EXPECT_EQ_INT(smp_stop_cpu(1, SMP_TIMEOUT_NS), -ERR_INVAL);
	EXPECT_EQ_INT(smp_stop_cpu(SMP_NCPUS, SMP_TIMEOUT_NS), -ERR_INVAL);
	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ_INT(smp_run_on(1, NULL, 0, &r, SMP_TIMEOUT_NS), -ERR_INVAL);
	/* No CPU was started by the refused calls. */
	EXPECT_EQ(arch_cpu_is_off(2), 1);
	EXPECT_EQ(atomic_load(&cpus[2].boot_count), 0);
}

/** Out-of-range, boot-CPU and offline indexes are refused with -ERR_INVAL. */
TEST(smp_host, bad_indexes)
{
	smp_setup();
	smp_bad_indexes(test_ctx);
	smp_teardown(test_ctx);
}

static void smp_job_timeout(struct test_ctx *test_ctx)
{
	uint64_t r = 0;

	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	atomic_store(&smp_release, false);
	EXPECT_EQ_INT(smp_run_on(1, smp_job_wait, 41, &r, 2000000),
		      -ERR_TIMEDOUT);
	EXPECT_EQ(r, 0);
	/* The job is still running; once it finishes the CPU serves again. */
	atomic_store(&smp_release, true);
	while (atomic_load(&cpus[1].job) != NULL) {
		sched_yield();
	}
	EXPECT_EQ(cpus[1].job_result, 42);
	ASSERT_EQ_INT(smp_run_on(1, smp_job_whoami, 1, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(r, 1001);
}

/** A job that outlives its timeout gives -ERR_TIMEDOUT, and the CPU recovers after it. */
TEST(smp_host, job_timeout)
{
	smp_setup();
	smp_job_timeout(test_ctx);
	smp_teardown(test_ctx);
}

static void smp_start_online(struct test_ctx *test_ctx)
{
	uint64_t r = 0;

	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), -ERR_EXIST);
	/* The CPU is still up and serving: its state must say so. */
	EXPECT_EQ(atomic_load(&cpus[1].state), CPU_STATE_ONLINE);
	EXPECT_EQ_INT(smp_run_on(1, smp_job_whoami, 3, &r, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(atomic_load(&cpus[1].boot_count), 1);
}

/** Starting a CPU that is already online fails with -ERR_EXIST and leaves it online. */
TEST(smp_host, start_online_cpu_keeps_it_online)
{
	smp_setup();
	smp_start_online(test_ctx);
	smp_teardown(test_ctx);
}

static void smp_stopped_state(struct test_ctx *test_ctx)
{
	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	ASSERT_EQ_INT(smp_stop_cpu(1, SMP_TIMEOUT_NS), 0);
	EXPECT_EQ(arch_cpu_is_off(1), 1);
	EXPECT_EQ(atomic_load(&cpus[1].state), CPU_STATE_OFF);
}

/** Once smp_stop_cpu has seen the CPU off, its state is CPU_STATE_OFF (cpu.h), not STOPPING. */
TEST(smp_host, stopped_cpu_state_is_off)
{
	smp_setup();
	smp_stopped_state(test_ctx);
	smp_teardown(test_ctx);
}

/* Set once the second smp_run_on() has returned (refused or not). */
static _Atomic bool smp_second_done;

/*
 * Releases smp_job_wait once the next job has been posted on CPU 1, or
 * once the poster has given up because CPU 1 was still busy.
 */
static void *smp_release_after_post(void *arg)
{
	(void)arg;
	while (atomic_load(&cpus[1].job) != smp_job_whoami &&
	       !atomic_load(&smp_second_done)) {
		sched_yield();
	}
	atomic_store(&smp_release, true);
	return NULL;
}

static void smp_job_after_timeout(struct test_ctx *test_ctx)
{
	pthread_t helper;
	uint64_t r = 0;
	int ret;

	ASSERT_EQ_INT(smp_start_cpu(1, SMP_TIMEOUT_NS), 0);
	atomic_store(&smp_release, false);
	ASSERT_EQ_INT(smp_run_on(1, smp_job_wait, 41, &r, 2000000),
		      -ERR_TIMEDOUT);
	/* CPU 1 is still busy with that job when the next one is posted. */
	ASSERT_EQ_INT(
		pthread_create(&helper, NULL, smp_release_after_post, NULL), 0);
	atomic_store(&smp_second_done, false);
	ret = smp_run_on(1, smp_job_whoami, 5, &r, SMP_TIMEOUT_NS);
	atomic_store(&smp_second_done, true);
	pthread_join(helper, NULL);
	/* Refusing is fine; claiming success with another job's result is not. */
	if (ret == 0) {
		EXPECT_EQ(r, 1005);
	} else {
		EXPECT_EQ_INT(ret, -ERR_AGAIN);
	}
}

/** A job posted while a timed-out job still runs is refused or run, never dropped. */
TEST(smp_host, job_after_timeout_not_lost)
{
	smp_setup();
	smp_job_after_timeout(test_ctx);
	smp_teardown(test_ctx);
}
