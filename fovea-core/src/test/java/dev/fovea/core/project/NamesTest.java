package dev.fovea.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"cats", "a", "road-signs-2", "0day"})
    void validProjectNames(String name) {
        assertThat(ProjectName.check(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Cats", "-x", "a_b", "a b", "../x", "é"})
    void invalidProjectNamesSayWhatIsAllowed(String name) {
        assertThatThrownBy(() -> ProjectName.check(name)).isInstanceOf(FoveaException.class)
                .hasMessageContaining("'" + name + "'").hasMessageContaining("lowercase letters");
    }

    @Test
    void classListsAreParsedAndChecked() {
        assertThat(ClassName.parseList("cat, dog,Bird of prey")).containsExactly("cat", "dog", "Bird of prey");
        assertThatThrownBy(() -> ClassName.parseList("cat,,dog")).hasMessageContaining("class name ''");
        assertThatThrownBy(() -> ClassName.parseList("cat,cat")).hasMessageContaining("names a class twice");
        assertThatThrownBy(() -> ClassName.check("x".repeat(101))).hasMessageContaining("1 to 100");
    }
}
