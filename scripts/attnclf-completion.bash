# bash completion for attnclf: the commands, each command's options (read from
# its --help, so they stay current), config keys after --set (from
# `attnclf config --keys`), enum values of a few options, and file names
# elsewhere. `make install` puts it where bash-completion looks for it.
_attnclf()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local bin=${words[0]}
    if [ "$cword" -eq 1 ]; then
        local cmds
        cmds=$("$bin" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}
    case $prev in
        --set | -s)
            local keys
            keys=$("$bin" config --keys 2>/dev/null | sed 's/$/=/')
            compopt -o nospace 2>/dev/null || true
            COMPREPLY=($(compgen -W "$keys" -- "$cur"))
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W "auto csv tsv fasttext" -- "$cur"))
            return
            ;;
        --output | --resume)
            COMPREPLY=($(compgen -d -- "$cur"))
            return
            ;;
        --threads | --top-k | -k | --trials | --budget | --folds | --examples | --label-column | --text-column)
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$bin" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _attnclf attnclf
