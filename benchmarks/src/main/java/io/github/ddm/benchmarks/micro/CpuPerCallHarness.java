package io.github.ddm.benchmarks.micro;

import io.github.ddm.benchmarks.redis.HarnessArgs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The CPU time per call of {@link PatchBenchmark}'s methods, read from the calling thread's CPU
 * clock ({@link ThreadMXBean#getCurrentThreadCpuTime()}) rather than the wall clock. On a machine
 * shared with other work, JMH's average time counts the time the thread waited for a core; the
 * thread's CPU time does not (it still grows with cache and hyper-thread contention, so compare
 * figures from the same hour). Each method is warmed up, then timed in rounds; the minimum and
 * the median round are reported.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.micro.CpuPerCallHarness
 *     [--warmup 5000] [--calls 2000] [--rounds 5] [--methods writerPathShared,receiverPath,...]</pre>
 */
public final class CpuPerCallHarness {

    private static final Set<String> OPTIONS = Set.of("warmup", "calls", "rounds", "methods");
    private static volatile Object sink;

    private CpuPerCallHarness() {
    }

    /** Per method, in the order asked: the minimum and the median round, microseconds of CPU per call. */
    public record Result(Map<String, double[]> cpuMicros) {

        /** One line per method. */
        public String report() {
            StringBuilder out = new StringBuilder("CpuPerCallHarness: thread CPU time per call, us (min / median round)\n");
            cpuMicros.forEach((name, us) -> out.append(String.format("  %-24s %8.2f / %8.2f%n", name, us[0], us[1])));
            return out.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --name value} options (see the class comment). */
    public static Result run(String... args) throws Exception {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int warmup = options.intValue("warmup", 5_000);
        int calls = Math.max(1, options.intValue("calls", 2_000));
        int rounds = Math.max(1, options.intValue("rounds", 5));
        List<Method> methods = methods(options.value("methods", ""));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot read a thread's CPU time");
        }
        PatchBenchmark benchmark = new PatchBenchmark();
        benchmark.setUp();
        Map<String, double[]> result = new LinkedHashMap<>();
        for (Method method : methods) {
            for (int i = 0; i < warmup; i++) {
                sink = call(method, benchmark);
            }
            double[] perRound = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) {
                    sink = call(method, benchmark);
                }
                perRound[r] = (threads.getCurrentThreadCpuTime() - start) / 1_000.0 / calls;
            }
            Arrays.sort(perRound);
            result.put(method.getName(), new double[] {perRound[0], perRound[rounds / 2]});
        }
        return new Result(result);
    }

    /** The named {@code @Benchmark} methods of PatchBenchmark, or all of them for an empty list. */
    private static List<Method> methods(String names) throws NoSuchMethodException {
        List<Method> methods = new ArrayList<>();
        if (names.isBlank()) {
            for (Method method : PatchBenchmark.class.getMethods()) {
                if (method.isAnnotationPresent(Benchmark.class)) {
                    methods.add(method);
                }
            }
            methods.sort((a, b) -> a.getName().compareTo(b.getName()));
            return methods;
        }
        for (String name : names.split(",")) {
            Method method = PatchBenchmark.class.getMethod(name.trim());
            if (!method.isAnnotationPresent(Benchmark.class)) {
                throw new IllegalArgumentException("not a PatchBenchmark benchmark: " + name);
            }
            methods.add(method);
        }
        return methods;
    }

    private static Object call(Method method, PatchBenchmark benchmark) throws Exception {
        try {
            return method.invoke(benchmark);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
