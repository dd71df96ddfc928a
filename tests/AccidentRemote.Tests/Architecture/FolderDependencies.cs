using System.Reflection;
using System.Reflection.Emit;

namespace AccidentRemote.Tests.Architecture;

/// <summary>
/// The folders (namespaces <c>AccidentRemote.Server.X</c>) of the server and which others each
/// one uses, read from the compiled assembly: base types, interfaces, fields, properties, method
/// signatures and the types and members every method body names in its IL (lambdas and async
/// state machines are nested types, so they count for their folder). A fully qualified name
/// without a <c>using</c> is found like any other. Not seen: constants (the compiler copies their
/// value) and names only in XML comments.
/// </summary>
public static class FolderDependencies
{
    private const string Root = "AccidentRemote.Server.";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Folder to the other folders it uses, with one example of each use (type → type).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Of(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
            foreach (var used in Used(type))
            {
                if (FolderOf(used) is { } to && to != from)
                {
                    edges.TryAdd(to, $"{type.FullName} → {used.FullName}");
                }
            }
        }

        return graph.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.Value);
    }

    /// <summary>
    /// Every string literal the server's code loads (<c>ldstr</c>), with the folder of the type whose
    /// method loads it: SQL is written as literals next to the code that runs it, so this is the SQL
    /// each folder runs. The literal parts of an interpolated string are literals too; constants are
    /// copied to where they are used, so they count for the folder that uses them.
    /// </summary>
    public static IEnumerable<(string Folder, Type Type, string Literal)> Literals(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type) is not { } folder)
            {
                continue;
            }

            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                foreach (var token in Operands(method, OperandType.InlineString))
                {
                    yield return (folder, type, method.Module.ResolveString(token));
                }
            }
        }
    }

    /// <summary>
    /// Every method or constructor the server's code calls (<c>call</c>, <c>callvirt</c>, <c>newobj</c>,
    /// <c>ldftn</c>: the operands of its method instructions), with the type and method whose body calls it.
    /// An async method's body is its state machine, a lambda's a method of a nested type: the caller
    /// is then that nested type, whose declaring type is the one the code was written in.
    /// </summary>
    public static IEnumerable<(Type Type, MethodBase Method, MethodBase Called)> Calls(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
                var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
                foreach (var token in Operands(method, OperandType.InlineMethod))
                {
                    MethodBase? called = null;
                    try
                    {
                        called = method.Module.ResolveMethod(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        // A member of an open generic the arguments cannot close: not one of the server's own methods.
                    }

                    if (called is not null)
                    {
                        yield return (type, method, called);
                    }
                }
            }
        }
    }

    /// <summary>The folders that lie on a loop (each group can reach every other in it), for the message.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> graph)
    {
        var nodes = graph.Keys.Union(graph.Values.SelectMany(v => v.Keys)).Order(StringComparer.Ordinal).ToList();
        bool Reaches(string a, string b)
        {
            var seen = new HashSet<string>();
            var stack = new Stack<string>([a]);
            while (stack.TryPop(out var n))
            {
                foreach (var next in graph.TryGetValue(n, out var e) ? e.Keys : [])
                {
                    if (next == b)
                    {
                        return true;
                    }

                    if (seen.Add(next))
                    {
                        stack.Push(next);
                    }
                }
            }

            return false;
        }

        var groups = new List<IReadOnlyList<string>>();
        var placed = new HashSet<string>();
        foreach (var n in nodes.Where(n => !placed.Contains(n)))
        {
            var group = nodes.Where(m => m == n || (Reaches(n, m) && Reaches(m, n))).ToList();
            placed.UnionWith(group);
            if (group.Count > 1)
            {
                groups.Add(group);
            }
        }

        return groups;
    }

    private static string? FolderOf(Type? type)
    {
        while (type is { IsNested: true })
        {
            type = type.DeclaringType;
        }

        var ns = type?.Namespace;
        if (ns is null || !ns.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[Root.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<Type> Used(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new List<Type?> { type.BaseType };
        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(all).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                found.Add(info.ReturnType);
            }

            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            found.AddRange(InBody(method));
        }

        return found.Where(t => t is not null).SelectMany(t => Expand(t!));
    }

    /// <summary>The type itself and every type in it: element types and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType)
        {
            foreach (var inner in Expand(t.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        yield return t;
        if (t.IsGenericType)
        {
            foreach (var arg in t.GetGenericArguments().Where(a => !a.IsGenericParameter).SelectMany(Expand))
            {
                yield return arg;
            }
        }
    }

    /// <summary>Every type a method body names: the operands of its field, method, type and token instructions.</summary>
    private static IEnumerable<Type> InBody(MethodBase method)
    {
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var token in Operands(method, OperandType.InlineField, OperandType.InlineMethod, OperandType.InlineTok, OperandType.InlineType))
        {
            MemberInfo? member = null;
            try
            {
                member = method.Module.ResolveMember(token, typeArgs, methodArgs);
            }
            catch (ArgumentException)
            {
                // A member of an open generic the arguments cannot close: its declaring type is still read below.
            }

            if (member is Type t)
            {
                yield return t;
            }
            else if (member?.DeclaringType is { } owner)
            {
                yield return owner;
                if (member is FieldInfo f)
                {
                    yield return f.FieldType;
                }
                else if (member is MethodInfo m)
                {
                    yield return m.ReturnType;
                    foreach (var a in m.IsGenericMethod ? m.GetGenericArguments() : [])
                    {
                        yield return a;
                    }
                }
            }
        }
    }

    /// <summary>The metadata tokens of a method body's instructions whose operand is of one of <paramref name="kinds"/>.</summary>
    private static IEnumerable<int> Operands(MethodBase method, params OperandType[] kinds)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        for (var i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineString:
                    if (kinds.Contains(op.OperandType))
                    {
                        yield return BitConverter.ToInt32(il, i);
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, i);
                    i += 4 + (4 * count);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
