using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Tensor arithmetic with a number, whose <see cref="Scalar"/> is kept alive until libtorch has read it.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a number into a native <see cref="Scalar"/> (an implicit conversion, or one of its own
/// operators: <c>t * 0.5f</c>, <c>a + b</c>, which adds with alpha 1, <c>t / n</c>) and hands libtorch only the handle.
/// Nothing holds the managed object while the native call runs, so a garbage collection on another thread can run its
/// finalizer, which frees the native scalar that libtorch is still reading: "Unknown scalar type" or a wrong value, at
/// random (CI saw it once in a training test; docs/troubleshooting.md has more). Known upstream: dotnet/TorchSharp pull
/// requests 1434 and 1496. Here every scalar is created in a <c>using</c>, which
/// keeps it reachable through the call and frees it at once, with the numeric type of the operator it replaces, so
/// results stay bit for bit the same. GraphRec.Core calls no TorchSharp method that makes a scalar of its own; a test
/// scans the IL to keep it so.
/// </remarks>
internal static class KeptScalars
{
    /// <summary><paramref name="tensor"/> · <paramref name="factor"/>, as <c>tensor * factor</c> computes it.</summary>
    public static Tensor Times(this Tensor tensor, float factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> · <paramref name="factor"/>, as <c>tensor * factor</c> computes it.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="left"/> + <paramref name="right"/>, as <c>left + right</c> computes it (alpha 1).</summary>
    public static Tensor Plus(this Tensor left, Tensor right)
    {
        using var one = 1.ToScalar();
        return left.add(right, one);
    }

    /// <summary><paramref name="target"/> += <paramref name="alpha"/> · <paramref name="other"/>, in place.</summary>
    public static Tensor AddScaledInPlace(this Tensor target, Tensor other, float alpha)
    {
        using var scalar = alpha.ToScalar();
        return target.add_(other, scalar);
    }

    /// <summary><paramref name="target"/> += <paramref name="alpha"/> · <paramref name="other"/>, in place.</summary>
    public static Tensor AddScaledInPlace(this Tensor target, Tensor other, double alpha)
    {
        using var scalar = alpha.ToScalar();
        return target.add_(other, scalar);
    }

    /// <summary><paramref name="target"/> · <paramref name="factor"/>, in place, as <c>target.mul_(factor)</c> computes it.</summary>
    public static Tensor TimesInPlace(this Tensor target, double factor)
    {
        using var scalar = factor.ToScalar();
        return target.mul_(scalar);
    }

    /// <summary>Every entry of <paramref name="target"/> set to <paramref name="value"/>, in place, as <c>target.fill_(value)</c> does.</summary>
    public static Tensor FillInPlace(this Tensor target, double value)
    {
        using var scalar = value.ToScalar();
        return target.fill_(scalar);
    }

    /// <summary><paramref name="target"/> + <paramref name="addend"/> in every entry, in place, as <c>target.add_(addend)</c> computes it.</summary>
    public static Tensor PlusInPlace(this Tensor target, double addend)
    {
        using var scalar = addend.ToScalar();
        using var one = 1.ToScalar();
        return target.add_(scalar, one);
    }

    /// <summary><paramref name="target"/> += <paramref name="value"/> · <paramref name="left"/> · <paramref name="right"/>, element by element, in place (<c>addcmul_</c>).</summary>
    public static Tensor AddProductInPlace(this Tensor target, Tensor left, Tensor right, double value)
    {
        using var scalar = value.ToScalar();
        return target.addcmul_(left, right, scalar);
    }

    /// <summary><paramref name="target"/> += <paramref name="value"/> · <paramref name="numerator"/> / <paramref name="denominator"/>, element by element, in place (<c>addcdiv_</c>).</summary>
    public static Tensor AddQuotientInPlace(this Tensor target, Tensor numerator, Tensor denominator, double value)
    {
        using var scalar = value.ToScalar();
        return target.addcdiv_(numerator, denominator, scalar);
    }

    /// <summary><paramref name="tensor"/> / <paramref name="divisor"/>, as <c>tensor / divisor</c> computes it.</summary>
    public static Tensor DividedBy(this Tensor tensor, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary><paramref name="tensor"/> / <paramref name="divisor"/>, as <c>tensor / divisor</c> computes it.</summary>
    public static Tensor DividedBy(this Tensor tensor, long divisor)
    {
        using var scalar = divisor.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary><paramref name="tensor"/>², element by element, as <c>tensor.pow(2)</c> computes it.</summary>
    public static Tensor Squared(this Tensor tensor)
    {
        using var two = 2.ToScalar();
        return tensor.pow(two);
    }

    /// <summary>Sets the entries of <paramref name="tensor"/> at <paramref name="index"/> along <paramref name="dimension"/> to <paramref name="value"/>, in place.</summary>
    public static Tensor IndexFillInPlace(this Tensor tensor, long dimension, Tensor index, float value)
    {
        using var scalar = value.ToScalar();
        return tensor.index_fill_(dimension, index, scalar);
    }

    /// <summary>Adds the rows of <paramref name="source"/> to those of <paramref name="tensor"/> at <paramref name="index"/> along <paramref name="dimension"/>, in place.</summary>
    public static Tensor IndexAddInPlace(this Tensor tensor, long dimension, Tensor index, Tensor source)
    {
        using var one = 1.ToScalar();
        return tensor.index_add_(dimension, index, source, one);
    }
}
