# The VM's base initramfs: busybox, the init script, the modules of
# out/modules/ (plus Debian's irqbypass.ko, which VFIO needs), the test
# programs and iommufd-stat.  vm/run.sh appends the command of each run to it.

VM_ROOT := $(OUT)/vm/root
KMODS := $(OUT)/kernel/$(KVER)/lib/modules/$(KVER)/kernel

.PHONY: vm-image
vm-image: $(OUT)/vm/base.cpio.gz

$(OUT)/modules/irqbypass.ko: $(KMODS)/virt/lib/irqbypass.ko.xz
	@mkdir -p $(@D)
	xz -dc $< >$@

# Debian's virtio-iommu driver, for VMs with -device virtio-iommu-pci.
$(OUT)/modules/virtio-iommu.ko: $(KMODS)/drivers/iommu/virtio-iommu.ko.xz
	@mkdir -p $(@D)
	xz -dc $< >$@

$(OUT)/vm/base.cpio.gz: $(OUT)/modules/.done $(OUT)/modules/vfio.ko \
		$(OUT)/modules/container/vfio.ko \
		$(OUT)/modules/irqbypass.ko $(OUT)/modules/virtio-iommu.ko $(VM_TESTS) $(OUT)/demo/iommufd-demo \
		$(OUT)/tests/upstream/iommufd $(OUT)/tests/upstream/iommufd_fail_nth \
		$(OUT)/tests/upstream/iommufd_600s $(NEWEST_PROGS) vm/guest/run-upstream.sh \
		vm/guest/init \
		vm/guest/run-tests.sh tools/iommufd-stat /bin/busybox
	@rm -rf $(VM_ROOT)
	@mkdir -p $(VM_ROOT)/{bin,sbin,proc,sys,dev,tmp,lib,tests/bin,tests/upstream,demo}
	@cp /bin/busybox $(VM_ROOT)/bin/
	@install -m 755 vm/guest/init $(VM_ROOT)/init
	@install -m 755 vm/guest/run-tests.sh $(VM_ROOT)/tests/run-all.sh
	@install -m 755 tools/iommufd-stat $(VM_ROOT)/bin/iommufd-stat
	@cp -r $(OUT)/modules $(VM_ROOT)/lib/iommufd
	@# The /dev/vfio/vfio variant, loaded instead with vm/run.sh --container.
	@mv $(VM_ROOT)/lib/iommufd/container $(VM_ROOT)/lib/iommufd-container
	@cp $(OUT)/modules/irqbypass.ko $(OUT)/modules/virtio-iommu.ko \
		$(VM_ROOT)/lib/iommufd-container/
	@# A DMA-API driver for the DMA-ownership tests (not loaded by load.sh).
	@mkdir -p $(VM_ROOT)/lib/extra
	@xz -dc $(KMODS)/drivers/net/ethernet/intel/e1000/e1000.ko.xz \
		>$(VM_ROOT)/lib/extra/e1000.ko
	@cp $(VM_TESTS) $(VM_ROOT)/tests/bin/
	@cp $(OUT)/demo/iommufd-demo $(VM_ROOT)/demo/
	@cp $(OUT)/tests/upstream/iommufd $(OUT)/tests/upstream/iommufd_fail_nth \
		$(OUT)/tests/upstream/iommufd_600s $(NEWEST_PROGS) $(VM_ROOT)/tests/upstream/
	@install -m 755 vm/guest/run-upstream.sh $(VM_ROOT)/tests/run-upstream.sh
	(cd $(VM_ROOT) && find . | cpio -o -H newc --quiet | gzip -1) >$@
