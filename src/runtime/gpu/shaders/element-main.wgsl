// The entry point of the kernels that run one invocation per output element: the host rounds the
// grid up to whole workgroups, so invocations at or past the kernel's elementCount() do nothing,
// and every other one runs its element(i). Host-generated constant: WORKGROUP.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < elementCount()) {
    element(gid.x);
  }
}
