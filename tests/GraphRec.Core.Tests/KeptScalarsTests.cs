using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using GraphRec.Core.Kernels;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// GraphRec.Core hands libtorch no scalar that the garbage collector may free during the call (see <see cref="KeptScalars"/>):
/// its IL is checked against every TorchSharp method that creates a scalar, directly or through another.
/// </summary>
public class KeptScalarsTests
{
    private static readonly Lazy<ScalarSiteScanner> Scanner = new(() => new ScalarSiteScanner(typeof(torch).Assembly.Location));

    [Fact]
    public void GraphRec_Core_creates_scalars_only_inside_KeptScalars()
    {
        var sites = Scanner.Value.Sites(typeof(LightGcnModel).Assembly.Location)
            .Where(site => !site.StartsWith(nameof(KeptScalars) + "::", StringComparison.Ordinal))
            .ToList();

        Assert.True(sites.Count == 0, "These GraphRec.Core methods let TorchSharp make a scalar that nothing keeps alive; use KeptScalars instead:\n" + string.Join("\n", sites));
    }

    /// <remarks>
    /// The race could fail a test at random too, so the tests' own formulas keep their scalars: through KeptScalars, or
    /// made with <c>ToScalar</c> and held in a <c>using</c> (the test doubles, written as a user's <see cref="ILoss"/>
    /// would be). Only the tests that check against TorchSharp's own operators and <c>optim.Adam</c> call them.
    /// </remarks>
    [Fact]
    public void The_tests_hand_TorchSharp_scalars_only_through_KeptScalars_or_ToScalar_except_against_its_own_operators()
    {
        string[] onPurpose =
        [
            nameof(KeptScalarsTests) + "::" + nameof(The_kept_operations_equal_TorchSharps_operators_bit_for_bit),
            nameof(LibTorchAdamTests) + "::" + nameof(LibTorchAdamTests.Steps_as_torchsharps_adam_bit_for_bit_through_a_change_of_learning_rate),
            nameof(FusedAdamTests) + "::" + nameof(FusedAdamTests.Matches_torchsharps_adam_over_several_steps),
        ];
        var sites = Scanner.Value.Sites(typeof(KeptScalarsTests).Assembly.Location, explicitScalarsAllowed: true)
            .Where(site => !onPurpose.Any(method => site.StartsWith(method + "(", StringComparison.Ordinal)))
            .ToList();

        Assert.True(sites.Count == 0, "These test methods let TorchSharp make a scalar that nothing keeps alive; use KeptScalars, or ToScalar in a using:\n" + string.Join("\n", sites));
    }

    [Fact]
    public void The_scanner_finds_the_operators_this_test_class_uses_on_purpose()
    {
        var sites = Scanner.Value.Sites(typeof(KeptScalarsTests).Assembly.Location);

        Assert.Contains(sites, site => site.StartsWith(nameof(KeptScalarsTests) + "::" + nameof(The_kept_operations_equal_TorchSharps_operators_bit_for_bit), StringComparison.Ordinal));
    }

    [Fact]
    public void The_kept_operations_equal_TorchSharps_operators_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var x = randn([37, 5], generator: generator);
        var y = randn([37, 5], generator: generator);
        var index = tensor(new long[] { 3, 0, 3, 11 });
        var rows = randn([4, 5], generator: generator);

        AssertSameBits(x * 0.3f, x.Times(0.3f));
        AssertSameBits(0.3 * x, x.Times(0.3));
        AssertSameBits(x + y, x.Plus(y));
        AssertSameBits(x / 7L, x.DividedBy(7));
        AssertSameBits(x.pow(2), x.Squared());
        AssertSameBits(x.clone().add_(y, 0.7f), x.clone().AddScaledInPlace(y, 0.7f));
        AssertSameBits(x.clone().index_fill_(0, index, 1f), x.clone().IndexFillInPlace(0, index, 1f));
        AssertSameBits(x.clone().index_add_(0, index, rows, 1), x.clone().IndexAddInPlace(0, index, rows));
        AssertSameBits(x.clone().add_(y, 0.7), x.clone().AddScaledInPlace(y, 0.7));
        AssertSameBits(x.clone().mul_(0.3), x.clone().TimesInPlace(0.3));
        AssertSameBits(x.clone().add_(1e-3), x.clone().PlusInPlace(1e-3));
        AssertSameBits(x / 0.7, x.DividedBy(0.7));
        AssertSameBits(x.clone().addcmul_(x, y, 0.001), x.clone().AddProductInPlace(x, y, 0.001));
        AssertSameBits(x.clone().addcdiv_(x, y.abs() + 1, -0.01), x.clone().AddQuotientInPlace(x, y.abs() + 1, -0.01));
    }

    private static void AssertSameBits(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var want = expected.contiguous().data<float>().ToArray();
        var got = actual.contiguous().data<float>().ToArray();
        Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// Reads TorchSharp's IL once: a method creates a scalar if it converts a number to <see cref="Scalar"/> or calls a method
    /// that does, and a virtual method of a base type does if an override of it does (a call through the base, such as
    /// <c>Optimizer.step</c>, may reach it). <see cref="Sites"/> then lists the methods of an assembly that call one, as
    /// <c>Type::Method</c>.
    /// </summary>
    private sealed class ScalarSiteScanner
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (OpCode)field.GetValue(null)!)
            .ToDictionary(code => code.Value, code => code.OperandType);

        private readonly HashSet<string> _creating = [];

        public ScalarSiteScanner(string torchSharpPath)
        {
            var (methods, baseTypes) = Read(torchSharpPath);
            for (bool grew = true; grew;)
            {
                grew = false;
                foreach (var (method, calls) in methods)
                {
                    if (!_creating.Contains(method) && calls.Any(Creates))
                    {
                        _creating.Add(method);
                        int separator = method.IndexOf("::", StringComparison.Ordinal);
                        for (string? type = method[..separator]; baseTypes.TryGetValue(type, out type);)
                        {
                            _creating.Add(type + method[separator..]);
                        }

                        grew = true;
                    }
                }
            }

            Assert.True(_creating.Count > 100, $"Only {_creating.Count} TorchSharp methods create scalars: the scan no longer reads TorchSharp's IL.");
        }

        /// <summary>The methods of an assembly that make scalars, each with the calls that make them.</summary>
        /// <param name="assemblyPath">The assembly to read.</param>
        /// <param name="explicitScalarsAllowed">Whether <c>ToScalar</c>, whose result the caller holds, is allowed.</param>
        public List<string> Sites(string assemblyPath, bool explicitScalarsAllowed = false)
        {
            bool Flagged(string call) => Creates(call) && !(explicitScalarsAllowed && call.StartsWith("ScalarExtensionMethods::ToScalar", StringComparison.Ordinal));
            return Read(assemblyPath).Methods.Where(m => m.Calls.Any(Flagged)).Select(m => m.Method + " calls " + string.Join(", ", m.Calls.Where(Flagged).Distinct())).ToList();
        }

        private bool Creates(string call) => call.StartsWith("Scalar::op_Implicit", StringComparison.Ordinal) || call.StartsWith("ScalarExtensionMethods::ToScalar", StringComparison.Ordinal) || _creating.Contains(call);

        /// <summary>Every method with the methods it calls, and every type with its base type.</summary>
        private static (List<(string Method, List<string> Calls)> Methods, Dictionary<string, string> BaseTypes) Read(string path)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            var names = new SignatureNames();
            var methods = new List<(string, List<string>)>();
            var baseTypes = new Dictionary<string, string>();
            foreach (var typeHandle in md.TypeDefinitions)
            {
                var baseType = md.GetTypeDefinition(typeHandle).BaseType;
                if (!baseType.IsNil)
                {
                    baseTypes[TypeName(md, typeHandle)] = TypeName(md, names, baseType);
                }

                foreach (var methodHandle in md.GetTypeDefinition(typeHandle).GetMethods())
                {
                    var method = md.GetMethodDefinition(methodHandle);
                    var calls = new List<string>();
                    if (method.RelativeVirtualAddress != 0)
                    {
                        var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
                        while (il.RemainingBytes > 0)
                        {
                            short code = il.ReadByte();
                            if (code == 0xFE)
                            {
                                code = (short)(0xFE00 | il.ReadByte());
                            }

                            var operand = Operands[code];
                            if (operand == OperandType.InlineMethod)
                            {
                                calls.Add(Name(md, names, MetadataTokens.EntityHandle(il.ReadInt32())));
                            }
                            else
                            {
                                Skip(ref il, operand);
                            }
                        }
                    }

                    methods.Add((TypeName(md, typeHandle) + "::" + md.GetString(method.Name) + Parameters(method.DecodeSignature(names, null)), calls));
                }
            }

            return (methods, baseTypes);
        }

        private static void Skip(ref BlobReader il, OperandType operand)
        {
            switch (operand)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.ReadByte(); break;
                case OperandType.InlineVar: il.ReadInt16(); break;
                case OperandType.InlineI8 or OperandType.InlineR: il.ReadInt64(); break;
                case OperandType.InlineSwitch: int targets = il.ReadInt32(); il.Offset += 4 * targets; break;
                default: il.ReadInt32(); break;
            }
        }

        private static string Name(MetadataReader md, SignatureNames names, EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                    var definition = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return TypeName(md, definition.GetDeclaringType()) + "::" + md.GetString(definition.Name) + Parameters(definition.DecodeSignature(names, null));
                case HandleKind.MemberReference:
                    var reference = md.GetMemberReference((MemberReferenceHandle)handle);
                    string parent = reference.Parent.Kind is HandleKind.TypeReference or HandleKind.TypeDefinition or HandleKind.TypeSpecification
                        ? TypeName(md, names, (EntityHandle)reference.Parent)
                        : "?";
                    return parent + "::" + md.GetString(reference.Name) + Parameters(reference.DecodeMethodSignature(names, null));
                case HandleKind.MethodSpecification:
                    return Name(md, names, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
                default:
                    return "?";
            }
        }

        /// <summary>A type defined, referenced or instantiated, by the name of its definition (without generic arguments).</summary>
        private static string TypeName(MetadataReader md, SignatureNames names, EntityHandle handle)
        {
            string name = handle.Kind switch
            {
                HandleKind.TypeDefinition => TypeName(md, (TypeDefinitionHandle)handle),
                HandleKind.TypeReference => names.GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
                _ => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(names, null),
            };
            int arguments = name.IndexOf('<', StringComparison.Ordinal);
            return arguments < 0 ? name : name[..arguments];
        }

        private static string Parameters(MethodSignature<string> signature) => "(" + string.Join(",", signature.ParameterTypes) + ")";

        private static string TypeName(MetadataReader md, TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            return (declaring.IsNil ? "" : TypeName(md, declaring) + "+") + md.GetString(type.Name);
        }

        /// <summary>Type names without namespaces, nested types joined by '+', the same whether defined or referenced.</summary>
        private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
        {
            public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
            public string GetByReferenceType(string elementType) => elementType + "&";
            public string GetFunctionPointerType(MethodSignature<string> signature) => "fn";
            public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
            public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
            public string GetGenericTypeParameter(object? context, int index) => "!" + index;
            public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
            public string GetPinnedType(string elementType) => elementType;
            public string GetPointerType(string elementType) => elementType + "*";
            public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
            public string GetSZArrayType(string elementType) => elementType + "[]";
            public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => "spec";

            public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeName(reader, handle);

            public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
            {
                var type = reader.GetTypeReference(handle);
                return (type.ResolutionScope.Kind == HandleKind.TypeReference ? GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind) + "+" : "") + reader.GetString(type.Name);
            }
        }
    }
}
