using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Kernels;

/// <summary>
/// <see cref="AdamOptimizer"/> for one contiguous float32 CPU parameter, in a single parallel pass.
/// </summary>
/// <remarks>
/// Owned because it was measured: TorchSharp's <c>optim.Adam</c> makes about ten passes over the parameter and its state
/// per step, a noticeable share of a Gowalla batch (phases benchmark); this makes one. The trainer uses it for
/// CPU float32 models (<see cref="KernelTrainingStep"/>, with the gradient it computes) and <see cref="LibTorchAdam"/> everywhere else.
/// The moments are written with non-temporal stores: 72 MB a step on Gowalla that no one reads before the next step, which
/// otherwise push Â and the products' matrices out of the cache (a shorter batch in the phases benchmark).
/// </remarks>
internal sealed class FusedAdam : AdamOptimizer
{
    private const int ChunkSize = 1 << 16;
    private readonly ParallelOptions _parallel;

    public FusedAdam(Tensor parameter, double learningRate, int maxDegreeOfParallelism = 0, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(Supported(parameter), learningRate, beta1, beta2, epsilon)
    {
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount };
    }

    public static bool Supports(Tensor parameter) =>
        parameter.device_type == DeviceType.CPU && parameter.dtype == ScalarType.Float32 && parameter.is_contiguous();

    private static Tensor Supported(Tensor parameter) => Supports(parameter)
        ? parameter
        : throw new ArgumentException("The fused Adam needs a contiguous float32 CPU tensor.", nameof(parameter));

    /// <summary>One step with <paramref name="gradient"/>, laid out as the parameter.</summary>
    public unsafe void Step(ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != Parameter.numel())
        {
            throw new ArgumentException($"Expected a gradient of {Parameter.numel()} values, got {gradient.Length}.", nameof(gradient));
        }

        var update = BeginStep();
        int length = gradient.Length;
        fixed (float* g = gradient)
        {
            nint gp = (nint)g;
            Parallel.For(0, (length + ChunkSize - 1) / ChunkSize, _parallel, chunk =>
            {
                int start = chunk * ChunkSize, end = Math.Min(length, start + ChunkSize);
                update.Apply(start, new ReadOnlySpan<float>((float*)gp + start, end - start));
                Update.Complete();
            });
        }
    }

    /// <summary>
    /// A lazy step, as PyTorch's <c>SparseAdam</c> takes it: Adam's update, with the step count and bias corrections of
    /// this step, on rows <paramref name="rows"/> (distinct) of a <c>[rows, dim]</c> parameter only, row r's gradient
    /// being row r of <paramref name="gradients"/>; every other row, and its moments, stay as they are. A step then
    /// costs what its rows cost, not the whole table.
    /// </summary>
    public unsafe void StepRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> gradients, int dim)
    {
        if (gradients.Length < (long)rows.Length * dim)
        {
            throw new ArgumentException($"Expected {rows.Length} x {dim} gradient values, got {gradients.Length}.", nameof(gradients));
        }

        var update = BeginStep();
        int count = rows.Length;
        fixed (int* r = rows)
        fixed (float* g = gradients)
        {
            nint rp = (nint)r, gp = (nint)g;
            int rowsPerChunk = Math.Max(1, ChunkSize / dim), chunks = (count + rowsPerChunk - 1) / rowsPerChunk;
            Parallel.For(0, chunks, _parallel, chunk =>
            {
                for (int i = chunk * rowsPerChunk, end = Math.Min(count, i + rowsPerChunk); i < end; i++)
                {
                    // The rows are scattered over the whole table and its moments: ask for those a few rows ahead.
                    if (i + CsrKernel.RowLookahead < end)
                    {
                        update.Prefetch((long)((int*)rp)[i + CsrKernel.RowLookahead] * dim, dim);
                    }

                    update.Apply((long)((int*)rp)[i] * dim, new ReadOnlySpan<float>((float*)gp + ((long)i * dim), dim));
                }

                Update.Complete();
            });
        }
    }

    /// <summary>
    /// Starts a step whose gradient arrives in pieces: the returned update applies Adam to each piece as it comes
    /// (<see cref="Update.Apply"/>), so that a gradient computed row by row need not be stored whole. Every value must
    /// be updated exactly once before the next step, and each thread that applied pieces calls
    /// <see cref="Update.Complete"/> after its last.
    /// </summary>
    public unsafe Update BeginStep()
    {
        var (stepSize, secondCorrectionRoot) = NextStep();
        return new Update(
            (nint)Unsafe.AsPointer(ref MemoryMarshal.Cast<byte, float>(Parameter.bytes)[0]),
            (nint)Unsafe.AsPointer(ref MemoryMarshal.Cast<byte, float>(FirstMoment.bytes)[0]),
            (nint)Unsafe.AsPointer(ref MemoryMarshal.Cast<byte, float>(SecondMoment.bytes)[0]),
            (float)Beta1, (float)Beta2, (float)Epsilon,
            (float)stepSize,
            (float)(1 / secondCorrectionRoot));
    }

    /// <summary>One step of Adam over the parameter, applied piece by piece (the tensors' native memory does not move).</summary>
    internal readonly struct Update(
        nint parameter, nint firstMoment, nint secondMoment, float beta1, float beta2, float epsilon, float stepSize, float inverseSqrtCorrection)
    {
        /// <summary>Asks for the values <c>[start, start + count)</c> of the parameter and both moments to be brought into cache.</summary>
        public unsafe void Prefetch(long start, int count)
        {
            CsrKernel.Prefetch((float*)parameter + start, count);
            CsrKernel.Prefetch((float*)firstMoment + start, count);
            CsrKernel.Prefetch((float*)secondMoment + start, count);
        }

        /// <summary>Updates the values from <paramref name="start"/> on with their gradient <paramref name="gradient"/>.</summary>
        public unsafe void Apply(long start, ReadOnlySpan<float> gradient)
        {
            fixed (float* g = gradient)
            {
                UpdateRange((float*)parameter + start, g, (float*)firstMoment + start, (float*)secondMoment + start, gradient.Length,
                    beta1, beta2, epsilon, stepSize, inverseSqrtCorrection);
            }
        }

        /// <summary>Makes this thread's writes to the moments visible to other threads (they are non-temporal stores).</summary>
        public static void Complete()
        {
            if (Sse.IsSupported)
            {
                Sse.StoreFence();
            }
        }
    }

    private static unsafe void UpdateRange(
        float* p, float* g, float* m, float* v, int end, float beta1, float beta2, float epsilon, float stepSize, float inverseSqrtCorrection)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b1 = Vector256.Create(beta1);
            var b2 = Vector256.Create(beta2);
            var oneMinusB1 = Vector256.Create(1 - beta1);
            var oneMinusB2 = Vector256.Create(1 - beta2);
            var eps = Vector256.Create(epsilon);
            var size = Vector256.Create(stepSize);
            var correction = Vector256.Create(inverseSqrtCorrection);
            bool streaming = Avx.IsSupported && ((nint)m & 31) == 0 && ((nint)v & 31) == 0;
            for (; i + 8 <= end; i += 8)
            {
                var grad = Vector256.Load(g + i);
                var first = (b1 * Vector256.Load(m + i)) + (oneMinusB1 * grad);
                var second = (b2 * Vector256.Load(v + i)) + (oneMinusB2 * grad * grad);
                if (streaming)
                {
                    // The moments are read again only at the next step, after the products have needed the cache.
                    Avx.StoreAlignedNonTemporal(m + i, first);
                    Avx.StoreAlignedNonTemporal(v + i, second);
                }
                else
                {
                    first.Store(m + i);
                    second.Store(v + i);
                }

                var denominator = (Vector256.Sqrt(second) * correction) + eps;
                (Vector256.Load(p + i) - (size * first / denominator)).Store(p + i);
            }
        }

        for (; i < end; i++)
        {
            m[i] = (beta1 * m[i]) + ((1 - beta1) * g[i]);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * g[i] * g[i]);
            p[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverseSqrtCorrection) + epsilon);
        }
    }
}
