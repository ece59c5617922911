using System.Runtime.InteropServices;
using System.Text;
using GraphRec.Build;

namespace GraphRec.Core.Tests.Build;

public sealed class ElfVersionPatcherTests : IDisposable
{
    private static readonly string[] Glibcxx332 = ["GLIBCXX_3.4.32"];
    private readonly string _directory = Directory.CreateTempSubdirectory("graphrec-elf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Marks_only_the_requested_version_weak()
    {
        string path = Write(TinyElf.Build());

        ElfPatchResult result = ElfVersionPatcher.MarkVersionsWeak(path, Glibcxx332);

        Assert.Equal(ElfPatchOutcome.Patched, result.Outcome);
        Assert.Contains("GLIBCXX_3.4.32", result.Message, StringComparison.Ordinal);
        byte[] patched = File.ReadAllBytes(path);
        Assert.Equal(2, TinyElf.FlagsOf(patched, "GLIBCXX_3.4.32"));
        Assert.Equal(0, TinyElf.FlagsOf(patched, "GLIBCXX_3.4.30"));
        byte[] expected = TinyElf.Build();
        Assert.Equal(expected.Length, patched.Length);
        Assert.Equal(1, expected.Zip(patched).Count(pair => pair.First != pair.Second));
    }

    [Fact]
    public void Is_idempotent()
    {
        string path = Write(TinyElf.Build());
        ElfVersionPatcher.MarkVersionsWeak(path, Glibcxx332);
        byte[] once = File.ReadAllBytes(path);

        ElfPatchResult again = ElfVersionPatcher.MarkVersionsWeak(path, Glibcxx332);

        Assert.Equal(ElfPatchOutcome.AlreadyWeak, again.Outcome);
        Assert.Equal(once, File.ReadAllBytes(path));
    }

    [Fact]
    public void Leaves_a_file_without_the_requirement_untouched()
    {
        byte[] original = TinyElf.Build();
        string path = Write(original);

        ElfPatchResult result = ElfVersionPatcher.MarkVersionsWeak(path, ["GLIBCXX_3.4.33"]);

        Assert.Equal(ElfPatchOutcome.NotRequired, result.Outcome);
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("not an ELF file")]
    [InlineData("truncated")]
    [InlineData("32-bit")]
    public void Leaves_an_unexpected_file_untouched_and_says_why(string kind)
    {
        byte[] original = kind switch
        {
            "not an ELF file" => Encoding.ASCII.GetBytes("#!/bin/sh\necho this is a script, not a shared library\n".PadRight(128)),
            "truncated" => TinyElf.Build()[..100],
            _ => TinyElf.Build(elfClass: 1),
        };
        string path = Write(original);

        ElfPatchResult result = ElfVersionPatcher.MarkVersionsWeak(path, Glibcxx332);

        Assert.Equal(ElfPatchOutcome.Unsupported, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [SkippableFact]
    public void Never_modifies_a_hard_linked_original()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "hard links are created through libc here");
        byte[] original = TinyElf.Build();
        string cacheCopy = Write(original, "cache.so");
        string outputCopy = Path.Combine(_directory, "output.so");
        Assert.Equal(0, NativeMethods.link(cacheCopy, outputCopy));

        ElfVersionPatcher.MarkVersionsWeak(outputCopy, Glibcxx332);

        Assert.Equal(original, File.ReadAllBytes(cacheCopy));
        Assert.Equal(2, TinyElf.FlagsOf(File.ReadAllBytes(outputCopy), "GLIBCXX_3.4.32"));
    }

    private string Write(byte[] bytes, string name = "lib.so")
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
#pragma warning disable CA2101, SYSLIB1054 // plain ASCII temp paths; a test helper, not product code
        internal static extern int link(string oldpath, string newpath);
#pragma warning restore CA2101, SYSLIB1054
    }
}

/// <summary>Builds a minimal ELF64 file with a .dynstr and a .gnu.version_r section needing two libstdc++ versions.</summary>
internal static class TinyElf
{
    private const string Strings = "\0libstdc++.so.6\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0";

    public static byte[] Build(byte elfClass = 2)
    {
        const int stringsOffset = 64;
        int verneedOffset = Align(stringsOffset + Strings.Length, 8);
        int verneedSize = 16 + 2 * 16;
        int sectionHeaders = Align(verneedOffset + verneedSize, 8);
        var image = new byte[sectionHeaders + 3 * 64];

        image[0] = 0x7f; image[1] = (byte)'E'; image[2] = (byte)'L'; image[3] = (byte)'F';
        image[4] = elfClass; image[5] = 1; image[6] = 1;
        Put16(image, 0x10, 3);                  // e_type ET_DYN
        Put16(image, 0x12, 62);                 // e_machine x86-64
        Put32(image, 0x14, 1);                  // e_version
        Put64(image, 0x28, (ulong)sectionHeaders);
        Put16(image, 0x34, 64);                 // e_ehsize
        Put16(image, 0x3A, 64);                 // e_shentsize
        Put16(image, 0x3C, 3);                  // e_shnum

        Encoding.ASCII.GetBytes(Strings).CopyTo(image, stringsOffset);

        // Elf64_Verneed: version 1, 2 aux entries, file name, aux at +16, no next.
        Put16(image, verneedOffset, 1);
        Put16(image, verneedOffset + 2, 2);
        Put32(image, verneedOffset + 4, (uint)Strings.IndexOf("libstdc++", StringComparison.Ordinal));
        Put32(image, verneedOffset + 8, 16);
        Put32(image, verneedOffset + 12, 0);
        WriteAux(image, verneedOffset + 16, "GLIBCXX_3.4.30", other: 2, next: 16);
        WriteAux(image, verneedOffset + 32, "GLIBCXX_3.4.32", other: 3, next: 0);

        int dynstr = sectionHeaders + 64;
        Put32(image, dynstr + 4, 3);            // SHT_STRTAB
        Put64(image, dynstr + 24, stringsOffset);
        Put64(image, dynstr + 32, (ulong)Strings.Length);

        int versionR = sectionHeaders + 128;
        Put32(image, versionR + 4, 0x6ffffffe); // SHT_GNU_verneed
        Put64(image, versionR + 24, (ulong)verneedOffset);
        Put64(image, versionR + 32, (ulong)verneedSize);
        Put32(image, versionR + 40, 1);         // sh_link: .dynstr
        Put32(image, versionR + 44, 1);         // sh_info: one Verneed entry
        return image;
    }

    /// <summary>The vna_flags of the named version in an image built by <see cref="Build"/>.</summary>
    public static int FlagsOf(byte[] image, string version)
    {
        int verneedOffset = Align(64 + Strings.Length, 8);
        int aux = version == "GLIBCXX_3.4.30" ? verneedOffset + 16 : verneedOffset + 32;
        return image[aux + 4] | image[aux + 5] << 8;
    }

    private static void WriteAux(byte[] image, int offset, string name, ushort other, uint next)
    {
        Put32(image, offset, 0x12345);
        Put16(image, offset + 4, 0);
        Put16(image, offset + 6, other);
        Put32(image, offset + 8, (uint)Strings.IndexOf(name, StringComparison.Ordinal));
        Put32(image, offset + 12, next);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static void Put16(byte[] image, int offset, ushort value) => BitConverter.TryWriteBytes(image.AsSpan(offset), value);

    private static void Put32(byte[] image, int offset, uint value) => BitConverter.TryWriteBytes(image.AsSpan(offset), value);

    private static void Put64(byte[] image, int offset, ulong value) => BitConverter.TryWriteBytes(image.AsSpan(offset), value);
}
