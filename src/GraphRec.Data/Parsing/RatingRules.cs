using System.Globalization;

namespace GraphRec.Data;

/// <summary>The one check of a rating threshold, shared by the providers and the builder.</summary>
internal static class RatingRules
{
    /// <summary>A threshold is a finite number, or null for none.</summary>
    /// <exception cref="ArgumentException">It is NaN or infinite.</exception>
    public static void CheckThreshold(float? threshold, string parameterName)
    {
        if (threshold is float value && !float.IsFinite(value))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The rating threshold must be a finite number or null; it is {value}."), parameterName);
        }
    }
}
