using System.Globalization;

namespace GraphRec.Core;

/// <summary>The one message every options class gives for a value out of range: which option, what it must be, what it is.</summary>
internal static class OptionChecks
{
    public static void Require(bool valid, string options, string name, string what, object? value)
    {
        if (!valid)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{options}.{name} must be {what}; it is {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}."));
        }
    }
}
