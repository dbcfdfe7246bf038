/* Element-wise ops. */
__kernel void scale_bias(__global float *x, const float scale, const float bias, const uint n) {
        uint i = get_global_id(0);
        if (i < n)
                x[i] = x[i] * scale + bias;
}
