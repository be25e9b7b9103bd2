// SPDX-License-Identifier: GPL-2.0-only
/*
 * What upstream's iommufd needs from the kernel that Debian's 6.12 build
 * leaves out, for the benchmark's reference build only (bench/ref/Kbuild):
 *
 * - the interval tree's span iterator (CONFIG_INTERVAL_TREE_SPAN_ITER,
 *   selected only by CONFIG_IOMMUFD): lib/interval_tree.c of the same
 *   source tree is compiled in here, its exports dropped and the plain
 *   interval tree functions renamed so they do not clash with vmlinux's;
 *
 * - for the test configuration, iommu_device_register_bus() and
 *   iommu_device_unregister_bus(), which the IOMMU core builds only with
 *   CONFIG_IOMMUFD_TEST.  Registering the mock IOMMU is done with the
 *   exported iommu_device_register(); the mock bus's devices are handed to
 *   the core's own bus notifier, found by name.  Before that each gets a
 *   fwspec naming the mock IOMMU's fwnode: without one the core would give
 *   them to the first IOMMU without a fwnode, VT-d, which refuses them.
 */
#define CONFIG_INTERVAL_TREE_SPAN_ITER 1
#define interval_tree_insert ref_interval_tree_insert
#define interval_tree_remove ref_interval_tree_remove
#define interval_tree_iter_first ref_interval_tree_iter_first
#define interval_tree_iter_next ref_interval_tree_iter_next
#include <linux/export.h>
#undef EXPORT_SYMBOL_GPL
#define EXPORT_SYMBOL_GPL(sym)
#include "../../../lib/interval_tree.c"

#ifdef REF_TEST
#include <linux/device.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>

#include "../iommu-priv.h"

static struct fwnode_handle ref_mock_fwnode;
static notifier_fn_t ref_core_notifier;
static struct mutex *ref_probe_lock;

/* kallsyms_lookup_name() is not exported; a kprobe reveals its address. */
static unsigned long ref_lookup(const char *name)
{
	static unsigned long (*lookup)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	if (!lookup) {
		if (register_kprobe(&kp))
			return 0;
		lookup = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	return lookup(name);
}

static int ref_bus_notifier(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct device *dev = data;
	int rc;

	if (action == BUS_NOTIFY_ADD_DEVICE && !dev_iommu_fwspec_get(dev)) {
		mutex_lock(ref_probe_lock);
		rc = iommu_fwspec_init(dev, &ref_mock_fwnode);
		mutex_unlock(ref_probe_lock);
		if (rc)
			return NOTIFY_DONE;
	}
	return ref_core_notifier(nb, action, data);
}

int iommu_device_register_bus(struct iommu_device *iommu,
			      const struct iommu_ops *ops,
			      const struct bus_type *bus,
			      struct notifier_block *nb)
{
	int rc;

	ref_core_notifier = (notifier_fn_t)ref_lookup("iommu_bus_notifier");
	ref_probe_lock = (struct mutex *)ref_lookup("iommu_probe_device_lock");
	if (!ref_core_notifier || !ref_probe_lock) {
		pr_err("iommufd reference: IOMMU core internals not found\n");
		return -ENOENT;
	}
	iommu->fwnode = &ref_mock_fwnode;
	rc = iommu_device_register(iommu, ops, NULL);
	if (rc)
		return rc;
	nb->notifier_call = ref_bus_notifier;
	rc = bus_register_notifier(bus, nb);
	if (rc)
		iommu_device_unregister(iommu);
	return rc;
}

void iommu_device_unregister_bus(struct iommu_device *iommu,
				 const struct bus_type *bus,
				 struct notifier_block *nb)
{
	bus_unregister_notifier(bus, nb);
	iommu_device_unregister(iommu);
}
#endif /* REF_TEST */
