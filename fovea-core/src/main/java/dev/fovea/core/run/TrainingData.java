package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.dataset.DatasetItem;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import dev.fovea.core.project.Project;
import dev.fovea.core.training.Example;
import java.util.ArrayList;
import java.util.List;

/** A dataset version's images as training examples, by split, with labels as indexes into the project's classes. */
final class TrainingData {
    /** The examples of one dataset version. */
    record Examples(List<String> classes, List<Example> train, List<Example> validation, List<Example> test) {}

    private final DatasetStore datasets;

    TrainingData(DatasetStore datasets) {
        this.datasets = datasets;
    }

    DatasetVersion version(Project project, int number) {
        return datasets.version(project.id(), number).orElseThrow(() -> FoveaException.notFound(
                "dataset version " + number + " of project " + project.name() + " does not exist"
                        + " (fovea dataset freeze --project " + project.name() + ")"));
    }

    /** The split examples; a label that is no longer a class, or a class without training images, is refused. */
    Examples examples(Project project, DatasetVersion version) {
        List<String> classes = project.classes();
        List<Example> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        int[] counts = new int[classes.size()];
        for (DatasetItem item : datasets.items(project.id(), version.number())) {
            int label = classes.indexOf(item.label());
            if (label < 0) {
                throw FoveaException.invalid("dataset version " + version.number() + " of project " + project.name()
                        + " has label '" + item.label() + "' which is no longer a class of the project " + classes);
            }
            Example e = new Example(item.sha256(), label);
            (item.split() == Split.TRAIN ? train : item.split() == Split.VALIDATION ? val : test).add(e);
            if (item.split() == Split.TRAIN) counts[label]++;
        }
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) if (counts[c] == 0) empty.add(classes.get(c));
        if (!empty.isEmpty()) {
            throw FoveaException.invalid("dataset version " + version.number() + " of project " + project.name()
                    + " has no training images of class" + (empty.size() > 1 ? "es " : " ") + String.join(", ", empty)
                    + "; add and label images of it, or remove the class, then freeze a new version");
        }
        return new Examples(classes, train, val, test);
    }
}
