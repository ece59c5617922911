using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// The demographics MovieLens publishes about a user (ML-100K <c>u.user</c>, ML-1M <c>users.dat</c>). Immutable.
/// </summary>
/// <param name="Gender">As the source writes it: <c>M</c> or <c>F</c>.</param>
/// <param name="MinimumAge">The youngest age the user can be; null for ML-1M's "Under 18".</param>
/// <param name="MaximumAge">The oldest age the user can be; null for ML-1M's "56+". ML-100K gives exact ages, so both bounds
/// are equal there; ML-1M gives only an age group.</param>
/// <param name="Occupation">The occupation by name (ML-1M's codes are mapped to the names of its README, such as
/// <c>technician/engineer</c>; ML-100K's names are kept as they are, such as <c>technician</c>).</param>
/// <param name="ZipCode">The zip code as written (not always numeric: ML-100K has Canadian postal codes).</param>
public sealed record UserInfo(string Gender, int? MinimumAge, int? MaximumAge, string Occupation, string ZipCode)
{
    /// <summary>The age for display: <c>24</c>, <c>18-24</c>, <c>under 18</c> or <c>56+</c>.</summary>
    public string Age => (MinimumAge, MaximumAge) switch
    {
        (int low, int high) when low == high => low.ToString(CultureInfo.InvariantCulture),
        (int low, int high) => string.Create(CultureInfo.InvariantCulture, $"{low}-{high}"),
        (null, int high) => string.Create(CultureInfo.InvariantCulture, $"under {high + 1}"),
        (int low, null) => string.Create(CultureInfo.InvariantCulture, $"{low}+"),
        _ => "unknown",
    };

    /// <summary>For display: "24, M, technician, 85711".</summary>
    public override string ToString() => $"{Age}, {Gender}, {Occupation}, {ZipCode}";
}
