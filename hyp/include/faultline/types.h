/*
 * Basic types shared by the hypervisor core, the arch layers and the host
 * tools. Addresses get their own struct types so that a physical address
 * cannot be passed where a virtual one is expected (Hafnium's model).
 */
#ifndef FAULTLINE_TYPES_H
#define FAULTLINE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A physical address (the output of the EL2 stage 1 translation). */
typedef struct {
	uint64_t pa;
} paddr_t;

/** A virtual address in the EL2 translation regime. */
typedef struct {
	uint64_t va;
} vaddr_t;

/** Returns the physical address with numeric value @pa. */
static inline paddr_t pa_init(uint64_t pa)
{
	return (paddr_t){pa};
}

/** Returns the numeric value of physical address @p. */
static inline uint64_t pa_addr(paddr_t p)
{
	return p.pa;
}

/** Returns @p advanced by @off bytes. */
static inline paddr_t pa_add(paddr_t p, uint64_t off)
{
	return (paddr_t){p.pa + off};
}

/** Returns the virtual address with numeric value @va. */
static inline vaddr_t va_init(uint64_t va)
{
	return (vaddr_t){va};
}

/** Returns the numeric value of virtual address @v. */
static inline uint64_t va_addr(vaddr_t v)
{
	return v.va;
}

/** Returns @v advanced by @off bytes. */
static inline vaddr_t va_add(vaddr_t v, uint64_t off)
{
	return (vaddr_t){v.va + off};
}

/** Size of a translation granule and of the pages the hypervisor manages. */
#define PAGE_SHIFT 12
/** Bytes in a page (4 KiB granule). */
#define PAGE_SIZE (UINT64_C(1) << PAGE_SHIFT)
/** Mask that keeps the page-aligned part of an address. */
#define PAGE_MASK (~(PAGE_SIZE - 1))

/** Number of elements of array @a. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** Rounds @x down to a multiple of @a (a power of two). */
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
/** Rounds @x up to a multiple of @a (a power of two). */
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (__typeof__(x))(a)-1, (a))
/** True when @x is a multiple of @a (a power of two). */
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

/** The smaller of two values of the same type. */
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/** The larger of two values of the same type. */
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/** Marks a function that never returns. */
#define NORETURN _Noreturn
/** Marks a deliberately unused parameter or variable. */
#define UNUSED __attribute__((unused))
/** Checks printf-style arguments of a function at compile time. */
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

#endif /* FAULTLINE_TYPES_H */
