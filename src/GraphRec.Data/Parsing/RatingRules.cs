using System.Globalization;

namespace GraphRec.Data;

/// <summary>The one check of a rating threshold, shared by the providers and the builder.</summary>
internal static class RatingRules
{
    /// <summary>A threshold is a finite number, or null for none.</summary>
    /// <param name="threshold">The threshold.</param>
    /// <param name="name">How the caller names it, for the message: <c>MovieLensOptions.RatingThreshold</c>.</param>
    /// <param name="parameterName">The parameter that carries it.</param>
    /// <exception cref="ArgumentException">It is NaN or infinite.</exception>
    public static void CheckThreshold(float? threshold, string name, string parameterName)
    {
        if (threshold is float value && !float.IsFinite(value))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number or null; it is {value}."), parameterName);
        }
    }
}
