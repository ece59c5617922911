using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphRec.Core.Kernels;

/// <summary>
/// bfloat16 values stored as <see cref="ushort"/>: the upper half of a float32 (its sign, its 8 exponent bits and the
/// top 7 of its 23 mantissa bits), so that widening is a shift and a value keeps float32's range at about 3 significant
/// digits. Narrowing rounds to nearest, ties to even, as libtorch's <c>bfloat16</c> does; NaN stays NaN.
/// </summary>
internal static class BFloat16
{
    /// <summary>The bfloat16 nearest to <paramref name="value"/>.</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
        {
            // A NaN: keep the sign and a quiet mantissa bit, since rounding could carry it into an infinity.
            return (ushort)((bits >> 16) | 0x40);
        }

        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The float32 equal to <paramref name="value"/>.</summary>
    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>Eight values from <paramref name="source"/>, widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Load(ushort* source)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(source), 16).AsSingle();
        }

        return Vector256.Create(
            ToSingle(source[0]), ToSingle(source[1]), ToSingle(source[2]), ToSingle(source[3]),
            ToSingle(source[4]), ToSingle(source[5]), ToSingle(source[6]), ToSingle(source[7]));
    }

    /// <summary>Eight values rounded into <paramref name="target"/>, exactly as <see cref="FromSingle"/> rounds each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<float> values, ushort* target)
    {
        if (Avx2.IsSupported)
        {
            var bits = values.AsUInt32();
            var rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(1u)), 16);
            var quietNaN = Vector256.ShiftRightLogical(bits, 16) | Vector256.Create(0x40u);
            var halves = Vector256.ConditionalSelect(Vector256.Equals(values, values).AsUInt32(), rounded, quietNaN).AsInt32();

            // Packing works within each 128-bit lane: [0..3, 0..3 | 4..7, 4..7] as 16-bit values; the permute brings
            // 0..3 and 4..7 next to each other in the low lane.
            var packed = Avx2.PackUnsignedSaturate(halves, halves);
            Sse2.Store(target, Avx2.Permute4x64(packed.AsInt64(), 0b11_01_10_00).AsUInt16().GetLower());
            return;
        }

        for (int i = 0; i < Vector256<float>.Count; i++)
        {
            target[i] = FromSingle(values[i]);
        }
    }

    /// <summary>Rounds each of <paramref name="source"/> into <paramref name="target"/> (of the same length).</summary>
    public static unsafe void Narrow(ReadOnlySpan<float> source, Span<ushort> target)
    {
        fixed (float* from = source)
        fixed (ushort* to = target)
        {
            int i = 0;
            for (; i + 8 <= source.Length; i += 8)
            {
                Store(Vector256.Load(from + i), to + i);
            }

            for (; i < source.Length; i++)
            {
                to[i] = FromSingle(from[i]);
            }
        }
    }

    /// <summary>Widens each of <paramref name="source"/> into <paramref name="target"/> (of the same length).</summary>
    public static unsafe void Widen(ReadOnlySpan<ushort> source, Span<float> target)
    {
        fixed (ushort* from = source)
        fixed (float* to = target)
        {
            int i = 0;
            for (; i + 8 <= source.Length; i += 8)
            {
                Load(from + i).Store(to + i);
            }

            for (; i < source.Length; i++)
            {
                to[i] = ToSingle(from[i]);
            }
        }
    }
}
