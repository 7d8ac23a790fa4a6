/*
 * Reads the machine description out of the device tree. Runs with the MMU
 * off on the boot CPU, so it stores values, never pointers into the blob.
 */
#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/platform.h>

/* Records why parsing failed and returns @ret. */
static int platform_fail(struct platform *plat, int ret, struct dtb *dt,
			 const char *what)
{
	if (ret == -ERR_INVAL && dt->error.why != NULL) {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "%s: malformed device tree at byte %u: %s", what,
			     dt->error.offset, dt->error.why);
	} else {
		fmt_snprintf(plat->error, sizeof(plat->error), "%s: %s", what,
			     err_name(ret));
	}
	return ret;
}

/* Reads a #address-cells / #size-cells value, with the spec's default. */
static int platform_cells(struct dtb *dt, const struct dtb_node *node,
			  const char *name, uint32_t dflt, uint32_t *out)
{
	int ret = dtb_prop_u32(dt, node, name, out);

	if (ret == -ERR_NOENT) {
		*out = dflt;
		return 0;
	}
	if (ret == 0 && (*out < 1 || *out > 2)) {
		dt->error.offset = node->offset;
		dt->error.why = "#address-cells or #size-cells not 1 or 2";
		return -ERR_INVAL;
	}
	return ret;
}

/* Reads entry @idx of node's "reg" with the parent's cell sizes. */
static int platform_reg(struct dtb *dt, const struct dtb_node *node,
			uint32_t acells, uint32_t scells, uint32_t idx,
			struct mem_range *out)
{
	const uint8_t *val;
	uint32_t len;
	uint32_t entry = (acells + scells) * 4;
	int ret = dtb_prop(dt, node, "reg", (const void **)&val, &len);

	if (ret != 0) {
		return ret;
	}
	if (len % entry != 0) {
		dt->error.offset = (uint32_t)(val - dt->blob);
		dt->error.why = "reg length is not a multiple of its cells";
		return -ERR_INVAL;
	}
	if ((idx + 1) * entry > len) {
		return -ERR_NOENT;
	}
	out->base = dtb_read_cells(val + idx * entry, acells);
	out->size = dtb_read_cells(val + idx * entry + acells * 4, scells);
	return 0;
}

/*
 * Reads entry @idx of @node's "reg", with the cell sizes of its parent
 * (devicetree spec 2.3.5: #address-cells/#size-cells apply to children).
 */
static int platform_node_reg(struct dtb *dt, const struct dtb_node *node,
			     uint32_t idx, struct mem_range *out)
{
	struct dtb_node parent;
	uint32_t ac = 2;
	uint32_t sc = 1;
	int ret = dtb_parent(dt, node, &parent);

	if (ret == 0) {
		ret = platform_cells(dt, &parent, "#address-cells", 2, &ac);
	}
	if (ret == 0) {
		ret = platform_cells(dt, &parent, "#size-cells", 1, &sc);
	}
	return ret == 0 ? platform_reg(dt, node, ac, sc, idx, out) : ret;
}

static bool platform_str_prop_is(struct dtb *dt, const struct dtb_node *node,
				 const char *name, const char *value)
{
	return dtb_prop_has_string(dt, node, name, value);
}

static int platform_memory(struct platform *plat, struct dtb *dt,
			   const struct dtb_node *root)
{
	struct dtb_node child = {0, 0};
	int ret;

	while ((ret = dtb_next_child(dt, root, &child)) == 0) {
		if (!platform_str_prop_is(dt, &child, "device_type",
					  "memory")) {
			continue;
		}
		for (uint32_t i = 0;; i++) {
			struct mem_range r;

			ret = platform_node_reg(dt, &child, i, &r);
			if (ret == -ERR_NOENT) {
				break;
			}
			if (ret != 0) {
				return platform_fail(plat, ret, dt,
						     "memory node");
			}
			if (r.size == 0) {
				continue;
			}
			if (plat->nmem == PLATFORM_MAX_MEM) {
				fmt_snprintf(plat->error, sizeof(plat->error),
					     "more than %d memory ranges",
					     PLATFORM_MAX_MEM);
				return -ERR_NOMEM;
			}
			if (r.base + r.size < r.base) {
				fmt_snprintf(
					plat->error, sizeof(plat->error),
					"memory range at 0x%llx wraps around",
					(unsigned long long)r.base);
				return -ERR_INVAL;
			}
			plat->mem[plat->nmem++] = r;
		}
	}
	if (ret != -ERR_NOENT) {
		return platform_fail(plat, ret, dt, "root node");
	}
	if (plat->nmem == 0) {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "no memory node (device_type = \"memory\")");
		return -ERR_NOENT;
	}
	return 0;
}

static int platform_cpus(struct platform *plat, struct dtb *dt)
{
	struct dtb_node cpus, child = {0, 0};
	uint32_t ac;
	int ret = dtb_find_path(dt, "/cpus", &cpus);

	if (ret != 0) {
		return platform_fail(plat, ret, dt, "/cpus");
	}
	/* CPU nodes are addressed by MPIDR and have no size (#size-cells 0). */
	ret = platform_cells(dt, &cpus, "#address-cells", 1, &ac);
	if (ret != 0) {
		return platform_fail(plat, ret, dt, "/cpus");
	}
	while ((ret = dtb_next_child(dt, &cpus, &child)) == 0) {
		const uint8_t *reg;
		uint32_t len;

		if (!platform_str_prop_is(dt, &child, "device_type", "cpu")) {
			continue;
		}
		ret = dtb_prop(dt, &child, "reg", (const void **)&reg, &len);
		if (ret != 0 || len < ac * 4) {
			return platform_fail(plat, ret != 0 ? ret : -ERR_INVAL,
					     dt,
					     "cpu node without a valid reg");
		}
		if (plat->ncpus == PLATFORM_MAX_CPUS) {
			plat->ncpus_ignored++;
			continue;
		}
		plat->cpu_mpidr[plat->ncpus++] = dtb_read_cells(reg, ac);
	}
	if (ret != -ERR_NOENT) {
		return platform_fail(plat, ret, dt, "/cpus");
	}
	if (plat->ncpus == 0) {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "no cpu node under /cpus");
		return -ERR_NOENT;
	}
	return 0;
}

static int platform_psci(struct platform *plat, struct dtb *dt)
{
	struct dtb_node psci;
	int ret = dtb_find_path(dt, "/psci", &psci);

	if (ret != 0) {
		return platform_fail(plat, ret, dt, "/psci");
	}
	if (platform_str_prop_is(dt, &psci, "method", "smc")) {
		plat->psci = PSCI_CONDUIT_SMC;
	} else if (platform_str_prop_is(dt, &psci, "method", "hvc")) {
		plat->psci = PSCI_CONDUIT_HVC;
	} else {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "/psci: method is neither \"smc\" nor \"hvc\"");
		return -ERR_INVAL;
	}
	if (!platform_str_prop_is(dt, &psci, "compatible", "arm,psci-0.2") &&
	    !platform_str_prop_is(dt, &psci, "compatible", "arm,psci-1.0")) {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "/psci: needs PSCI 0.2 or later (standard "
			     "function ids)");
		return -ERR_NOTSUP;
	}
	return 0;
}

/* Finds the UART from /chosen/stdout-path, else the first PL011. */
static int platform_uart(struct platform *plat, struct dtb *dt,
			 const struct dtb_node *root)
{
	struct dtb_node node, chosen;
	const char *path;
	uint32_t len;
	int ret;

	/* The path may carry ":115200n8" options, which end it. */
	if (dtb_find_path(dt, "/chosen", &chosen) == 0 &&
	    dtb_prop(dt, &chosen, "stdout-path", (const void **)&path, &len) ==
		    0 &&
	    len > 1 && path[len - 1] == '\0' &&
	    dtb_find_path(dt, path, &node) == 0 &&
	    platform_node_reg(dt, &node, 0, &plat->uart) == 0) {
		plat->has_uart = true;
		return 0;
	}
	node.offset = 0;
	while ((ret = dtb_next_child(dt, root, &node)) == 0) {
		if (platform_str_prop_is(dt, &node, "compatible",
					 "arm,pl011")) {
			ret = platform_node_reg(dt, &node, 0, &plat->uart);
			if (ret != 0) {
				return platform_fail(plat, ret, dt,
						     "pl011 node");
			}
			plat->has_uart = true;
			return 0;
		}
	}
	return ret == -ERR_NOENT ? 0
				 : platform_fail(plat, ret, dt, "root node");
}

static int platform_gic(struct platform *plat, struct dtb *dt,
			const struct dtb_node *root)
{
	struct dtb_node node = {0, 0};
	int ret;

	while ((ret = dtb_next_child(dt, root, &node)) == 0) {
		unsigned version = 0;

		if (platform_str_prop_is(dt, &node, "compatible",
					 "arm,gic-v3")) {
			version = 3;
		} else if (platform_str_prop_is(dt, &node, "compatible",
						"arm,cortex-a15-gic") ||
			   platform_str_prop_is(dt, &node, "compatible",
						"arm,gic-400")) {
			version = 2;
		}
		if (version == 0) {
			continue;
		}
		ret = platform_node_reg(dt, &node, 0, &plat->gic.dist);
		if (ret == 0) {
			ret = platform_node_reg(dt, &node, 1,
						&plat->gic.redist);
		}
		if (ret != 0) {
			return platform_fail(plat, ret, dt,
					     "interrupt controller");
		}
		plat->gic.version = version;
		return 0;
	}
	return ret == -ERR_NOENT ? 0
				 : platform_fail(plat, ret, dt, "root node");
}

/* Adds [base, base + size) to the sorted device list, merging neighbours. */
static void platform_add_device(struct platform *plat, uint64_t base,
				uint64_t size)
{
	uint64_t b = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t e = ALIGN_UP(base + size, PAGE_SIZE);
	unsigned i = 0;

	if (size == 0 || e <= b) {
		return;
	}
	while (i < plat->ndevices &&
	       plat->devices[i].base + plat->devices[i].size < b) {
		i++;
	}
	if (i < plat->ndevices && plat->devices[i].base <= e) {
		/* Touches or overlaps devices[i]: merge, then its successors. */
		struct mem_range *d = &plat->devices[i];
		uint64_t nb = MIN(d->base, b);
		uint64_t ne = MAX(d->base + d->size, e);

		while (i + 1 < plat->ndevices &&
		       plat->devices[i + 1].base <= ne) {
			ne = MAX(ne, plat->devices[i + 1].base +
					     plat->devices[i + 1].size);
			for (unsigned j = i + 1; j + 1 < plat->ndevices; j++) {
				plat->devices[j] = plat->devices[j + 1];
			}
			plat->ndevices--;
		}
		d->base = nb;
		d->size = ne - nb;
		return;
	}
	if (plat->ndevices == PLATFORM_MAX_DEVICES) {
		plat->ndevices_dropped++;
		return;
	}
	for (unsigned j = plat->ndevices; j > i; j--) {
		plat->devices[j] = plat->devices[j - 1];
	}
	plat->devices[i].base = b;
	plat->devices[i].size = e - b;
	plat->ndevices++;
}

/* Collects the reg ranges of the root's device nodes. */
static int platform_devices(struct platform *plat, struct dtb *dt,
			    const struct dtb_node *root)
{
	struct dtb_node node = {0, 0};
	int ret;

	plat->ndevices = 0;
	plat->ndevices_dropped = 0;
	while ((ret = dtb_next_child(dt, root, &node)) == 0) {
		if (platform_str_prop_is(dt, &node, "device_type", "memory")) {
			continue;
		}
		for (uint32_t i = 0;; i++) {
			struct mem_range r;

			if (platform_node_reg(dt, &node, i, &r) != 0) {
				break;
			}
			if (!platform_is_memory(plat, r.base, 1)) {
				platform_add_device(plat, r.base, r.size);
			}
		}
	}
	return ret == -ERR_NOENT ? 0
				 : platform_fail(plat, ret, dt, "root node");
}

static int platform_bootargs(struct platform *plat, struct dtb *dt)
{
	struct dtb_node chosen;
	const char *args;
	uint32_t len;

	plat->bootargs[0] = '\0';
	if (dtb_find_path(dt, "/chosen", &chosen) != 0 ||
	    dtb_prop(dt, &chosen, "bootargs", (const void **)&args, &len) !=
		    0) {
		return 0;
	}
	if (len == 0 || args[len - 1] != '\0') {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "/chosen/bootargs is not a NUL-terminated string");
		return -ERR_INVAL;
	}
	if (len > sizeof(plat->bootargs)) {
		fmt_snprintf(plat->error, sizeof(plat->error),
			     "/chosen/bootargs is %u bytes, at most %u fit",
			     len, (unsigned)sizeof(plat->bootargs));
		return -ERR_RANGE;
	}
	for (uint32_t i = 0; i < len; i++) {
		plat->bootargs[i] = args[i];
	}
	return 0;
}

int platform_from_dtb(struct platform *plat, struct dtb *dt)
{
	struct dtb_node root;
	uint32_t ac, sc;
	int ret;

	plat->nmem = 0;
	plat->ncpus = 0;
	plat->ncpus_ignored = 0;
	plat->psci = PSCI_CONDUIT_NONE;
	plat->has_uart = false;
	plat->gic.version = 0;
	plat->error[0] = '\0';

	/* Check the root's cells up front for a clear message. */
	ret = dtb_root(dt, &root);
	if (ret == 0) {
		ret = platform_cells(dt, &root, "#address-cells", 2, &ac);
	}
	if (ret == 0) {
		ret = platform_cells(dt, &root, "#size-cells", 1, &sc);
	}
	if (ret != 0) {
		return platform_fail(plat, ret, dt, "root node");
	}
	ret = platform_memory(plat, dt, &root);
	if (ret == 0) {
		ret = platform_cpus(plat, dt);
	}
	if (ret == 0) {
		ret = platform_psci(plat, dt);
	}
	if (ret == 0) {
		ret = platform_uart(plat, dt, &root);
	}
	if (ret == 0) {
		ret = platform_gic(plat, dt, &root);
	}
	if (ret == 0) {
		ret = platform_devices(plat, dt, &root);
	}
	if (ret == 0) {
		ret = platform_bootargs(plat, dt);
	}
	return ret;
}

bool platform_is_memory(const struct platform *plat, uint64_t base,
			uint64_t size)
{
	for (unsigned i = 0; i < plat->nmem; i++) {
		const struct mem_range *r = &plat->mem[i];

		if (base >= r->base && size <= r->size &&
		    base - r->base <= r->size - size) {
			return true;
		}
	}
	return false;
}
