/*
 * A tiny program for checking a device end to end (context, build, enqueue,
 * read back) without the cost of building the op kernels: used by the tests;
 * built only when someone asks for it.
 */
__kernel void scale_bias(__global float *x, const float scale, const float bias, const uint n) {
        uint i = get_global_id(0);
        if (i < n)
                x[i] = x[i] * scale + bias;
}
