/*
 * arch/cache.h on the host: there is nothing to maintain, so record what
 * was asked for, and let the tests check that the code under test did the
 * maintenance the architecture requires.
 */
#include <pthread.h>

#include <faultline/arch/cache.h>

#include "host_arch.h"

#define HOST_CACHE_LOG_MAX 4096

static pthread_mutex_t cache_log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_cache_op cache_log[HOST_CACHE_LOG_MAX];
static size_t cache_log_len;

static void cache_record(int kind, const void *va, size_t size)
{
	pthread_mutex_lock(&cache_log_lock);
	if (cache_log_len < HOST_CACHE_LOG_MAX) {
		cache_log[cache_log_len].kind = kind;
		cache_log[cache_log_len].start = (uintptr_t)va;
		cache_log[cache_log_len].size = size;
	}
	cache_log_len++;
	pthread_mutex_unlock(&cache_log_lock);
}

void arch_dcache_clean_inval_poc(const void *va, size_t size)
{
	cache_record(HOST_CACHE_CLEAN_INVAL_POC, va, size);
}

void arch_dcache_inval_poc(const void *va, size_t size)
{
	cache_record(HOST_CACHE_INVAL_POC, va, size);
}

void arch_icache_inval_all(void)
{
	cache_record(HOST_CACHE_ICACHE_INVAL_ALL, NULL, 0);
}

void host_cache_log_reset(void)
{
	pthread_mutex_lock(&cache_log_lock);
	cache_log_len = 0;
	pthread_mutex_unlock(&cache_log_lock);
}

size_t host_cache_log(struct host_cache_op *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&cache_log_lock);
	n = cache_log_len;
	for (size_t i = 0; i < n && i < max && i < HOST_CACHE_LOG_MAX; i++) {
		out[i] = cache_log[i];
	}
	pthread_mutex_unlock(&cache_log_lock);
	return n;
}

bool host_cache_cleaned(const void *start, size_t size)
{
	uintptr_t p = (uintptr_t)start;
	uintptr_t end = p + size;
	bool progress = true;

	pthread_mutex_lock(&cache_log_lock);
	/* Advance p through any recorded range that contains it. */
	while (p < end && progress) {
		progress = false;
		for (size_t i = 0; i < cache_log_len && i < HOST_CACHE_LOG_MAX;
		     i++) {
			const struct host_cache_op *op = &cache_log[i];

			if (op->kind == HOST_CACHE_CLEAN_INVAL_POC &&
			    op->start <= p && p < op->start + op->size) {
				p = op->start + op->size;
				progress = true;
			}
		}
	}
	pthread_mutex_unlock(&cache_log_lock);
	return p >= end;
}
